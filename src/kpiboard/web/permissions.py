"""Who may do what. Roles: administrator and analyst (everything), owner (data and commentary for
their indicators or sections), approver (signs off their sections' periods), viewer (reads)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .models import Indicator, Profile, Role, Section

FULL = (Role.ADMINISTRATOR, Role.ANALYST)


def role_of(user) -> Role | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = Profile.objects.filter(user=user).only("role").first()
    return Role(profile.role) if profile else Role.VIEWER


def can_edit(user, indicator: Indicator) -> bool:
    role = role_of(user)
    if role in FULL:
        return True
    if role is not Role.OWNER:
        return False
    profile = Profile.objects.get(user=user)
    return (
        profile.indicators.filter(pk=indicator.pk).exists()
        or profile.sections.filter(pk=indicator.section_id).exists()
    )


def can_approve(user, section: Section) -> bool:
    role = role_of(user)
    if role in FULL:
        return True
    if role is not Role.APPROVER:
        return False
    return Profile.objects.get(user=user).sections.filter(pk=section.pk).exists()


def can_edit_approved(user) -> bool:
    """Changing an approved (locked) period needs an analyst, and a reason."""
    return role_of(user) in FULL


def can_import(user) -> bool:
    return role_of(user) in FULL


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
