"""Who may do what. Roles: administrator and analyst (everything), owner (data and commentary for
their indicators or sections), approver (signs off their sections' periods), viewer (reads)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

from .models import Indicator, Profile, Role, Section

FULL = (Role.ADMINISTRATOR, Role.ANALYST)


def role_of(user) -> Role | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    # Asked several times a request (menu, page, checks): read once per user object, which
    # lives for one request.
    if not hasattr(user, ROLE_READ):
        note_role(user, Profile.objects.filter(user=user).values_list("role", flat=True).first())
    return getattr(user, ROLE_READ)


#: Where :func:`role_of` remembers a person's role on the user object of one request.
ROLE_READ = "_kpiboard_role"


def note_role(user, stored: str | None) -> None:
    """Remember the role read for ``user`` (its profile's role, None without a profile) for the
    rest of the request, for a query that reads it along with something else."""
    setattr(user, ROLE_READ, Role(stored) if stored else Role.VIEWER)


def _full_or_scoped(user, scoped: Role, covers: Callable[[Profile], bool]) -> bool:
    """Analysts and administrators may; a person whose role is ``scoped`` may where ``covers``
    says their profile's indicators or sections reach; nobody else may."""
    role = role_of(user)
    if role in FULL:
        return True
    if role is not scoped:
        return False
    return covers(Profile.objects.get(user=user))


def _owns(profile: Profile, section_id: int, **indicator: object) -> bool:
    """Whether an owner's profile holds the section, or an indicator matching ``indicator``."""
    return (
        profile.sections.filter(pk=section_id).exists()
        or profile.indicators.filter(**indicator).exists()
    )


def can_edit(user, indicator: Indicator) -> bool:
    return _full_or_scoped(
        user, Role.OWNER, lambda profile: _owns(profile, indicator.section_id, pk=indicator.pk)
    )


def can_submit(user, section: Section) -> bool:
    """Analysts, administrators, and owners of the section or of one of its indicators."""
    return _full_or_scoped(
        user,
        Role.OWNER,
        lambda profile: _owns(profile, section.pk, section=section, archived=False),
    )


def can_approve(user, section: Section) -> bool:
    return _full_or_scoped(
        user, Role.APPROVER, lambda profile: profile.sections.filter(pk=section.pk).exists()
    )


def can_edit_approved(user) -> bool:
    """Changing an approved (locked) period needs an analyst, and a reason."""
    return role_of(user) in FULL


def can_move_month(user) -> bool:
    """Moving the site's reporting month by hand changes what every page and report shows."""
    return role_of(user) in FULL


def can_publish(user) -> bool:
    """Publishing open data puts figures in front of the public: analysts and administrators
    (only approved figures are ever published, whoever asks)."""
    return role_of(user) in FULL


def can_import(user) -> bool:
    """Analysts and administrators import any figures; owners the figures of what they own
    (checked row by row: :func:`kpiboard.web.db_import.owner_problems`)."""
    return role_of(user) in (*FULL, Role.OWNER)


def can_administer(user) -> bool:
    return role_of(user) is Role.ADMINISTRATOR


def editable_indicators(user):
    role = role_of(user)
    live = Indicator.objects.filter(archived=False).select_related("section")
    if role in FULL:
        return live
    if role is not Role.OWNER:
        return live.none()
    profile = Profile.objects.get(user=user)
    return live.filter(pk__in=profile.indicators.all()) | live.filter(
        section__in=profile.sections.all()
    )


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
