"""People: the one write path for adding people, changing their name, email, role and what
they own or approve, deactivating and reactivating them, and password resets. The web pages
(views/people.py, views/password_reset.py) and the command line (addperson, setrole) call these;
each change is one transaction with its record in the security audit trail (who made it, and
before → after). Nobody is ever deleted: their past revisions keep their name.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Indicator, Profile, Role, Section, SecurityEvent, SecurityEventKind
from .security_log import record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The demo site's administrator (setupdemo, kpiboard serve --demo): an invented person.
DEMO_ADMINISTRATOR = {
    "first_name": "Alex",
    "last_name": "Morgan",
    "email": "alex.morgan@example.org",
}

#: Which roles are given sections and indicators (the others have everything, or only read).
TAKES_SECTIONS = (Role.OWNER, Role.APPROVER)
TAKES_INDICATORS = (Role.OWNER,)


class UsernameRefused(ValueError):
    """A new username that is empty, has invisible characters, or is already taken."""


def normalise_username(text: str) -> str:
    """The one spelling a username is kept and compared in: Unicode NFKC (full-width ``ＡＤＭＩＮ``
    becomes ``ADMIN``), then case-folded (``admin``), without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def check_new_username(text: str) -> str:
    """The normalised username for a new person, or :class:`UsernameRefused` saying why not.

    Invisible characters (Unicode format characters such as a zero-width space, and control
    characters) are refused, not removed: they make look-alikes of other people's names.
    """
    hidden = [c for c in text if unicodedata.category(c) in ("Cf", "Cc")]
    if hidden:
        names = ", ".join(dict.fromkeys(unicodedata.name(c, f"U+{ord(c):04X}") for c in hidden))
        raise UsernameRefused(f"the username must not contain invisible characters ({names})")
    username = normalise_username(text)
    if not username:
        raise UsernameRefused("the username must not be empty")
    if len(username) > 150:
        raise UsernameRefused("the username must be 150 characters or fewer")
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise UsernameRefused(f"there is already a person called {username!r}")
    return username


def generate_password() -> str:
    return secrets.token_urlsafe(15)


class PersonRefused(ValueError):
    """A change to a person that would break a rule; ``field`` names the form field it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def display_name(user) -> str:
    """A person as other people see them: their full name, or their username if they have none."""
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


@dataclass(frozen=True)
class Scope:
    """What a person owns or approves, as sorted section and indicator codes."""

    sections: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()

    @classmethod
    def of(cls, profile: Profile) -> Scope:
        return cls(
            tuple(sorted(profile.sections.values_list("code", flat=True))),
            tuple(sorted(profile.indicators.values_list("code", flat=True))),
        )

    def describe(self) -> str:
        parts = [f"section {c}" for c in self.sections]
        parts += [f"indicator {c}" for c in self.indicators]
        return ", ".join(parts) or "nothing"


def check_scope(role: Role, scope: Scope) -> None:
    """Refuse sections or indicators a role does not take, unknown codes, and an owner or
    approver who would be responsible for nothing."""
    if scope.sections and role not in TAKES_SECTIONS:
        raise PersonRefused("Only indicator owners and approvers have sections", "sections")
    if scope.indicators and role not in TAKES_INDICATORS:
        raise PersonRefused("Only indicator owners have indicators", "indicators")
    if role is Role.OWNER and not (scope.sections or scope.indicators):
        raise PersonRefused("Choose at least one section or indicator for an owner", "sections")
    if role is Role.APPROVER and not scope.sections:
        raise PersonRefused("Choose at least one section for an approver", "sections")
    for model, codes, field in (
        (Section, scope.sections, "sections"),
        (Indicator, scope.indicators, "indicators"),
    ):
        known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise PersonRefused(f"There is no {field[:-1]} with code {', '.join(unknown)}", field)


class EmailRefused(PersonRefused):
    """An email address that is not one, or that another person already has."""

    def __init__(self, message: str):
        super().__init__(message, "email")


def check_email(email: str, *, exclude=None) -> str:
    """The email address as kept (trimmed; empty: none), or :class:`EmailRefused`.

    One person per address: a reset link goes to every person with the address, and single
    sign-on finds people by it (ignoring capitals), so a shared address would name nobody.
    ``exclude`` is the person the address is for, when they already exist.
    """
    email = email.strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise EmailRefused(f"{email!r} is not an email address") from None
    others = get_user_model().objects.filter(email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    taken = others.first()
    if taken is not None:
        raise EmailRefused(
            f"Another person ({taken.get_username()}) already has this email address"
        )
    return email


def set_email(person, text: str, *, by=None) -> str:
    """Give ``person`` a new email address (empty removes it) through :func:`update_person`, so
    the change is checked and recorded like any other; returns the address kept."""
    update_person(person, email=text, by=by)
    person.refresh_from_db(fields=["email"])
    return person.email


def _role(user) -> Role:
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = Profile.objects.filter(user=user).first()
    return Role(profile.role) if profile else Role.VIEWER


def active_administrators():
    """Everyone who can sign in and administer: superusers, and people with that role."""
    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(kpi_profile__role=Role.ADMINISTRATOR), is_active=True
    )


def _keep_an_administrator(user) -> None:
    """Refuse a change that would leave nobody able to administer the site. The other
    administrators' rows are locked, so two of them cannot each demote the other at once."""
    others = active_administrators().exclude(pk=user.pk).select_for_update(of=("self",))
    if not list(others.values_list("pk", flat=True)):
        raise PersonRefused(
            f"{display_name(user)} is the only active administrator: make someone else an "
            "administrator first",
            "role",
        )


def _set_role_flags(user, role: Role) -> None:
    """Django's own flags follow the role: only administrators are staff and superusers."""
    user.is_staff = user.is_superuser = role is Role.ADMINISTRATOR


@transaction.atomic
def create_person(
    username: str,
    role: Role,
    *,
    password: str | None = None,
    sections: Sequence[str] = (),
    indicators: Sequence[str] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    by=None,
) -> tuple[User, str]:
    """A new user with ``role``; returns (user, password). A generated password if none given.

    The username is kept normalised (:func:`normalise_username`); one that is refused by
    :func:`check_new_username` raises :class:`UsernameRefused`, and a scope or email that breaks
    a rule :class:`PersonRefused`. The new person, with their role and what they own or approve
    (never the password), goes in the security audit trail, with ``by`` as who added them.
    """
    username, role = check_new_username(username), Role(role)
    scope = Scope(tuple(sorted(set(sections))), tuple(sorted(set(indicators))))
    check_scope(role, scope)
    email = check_email(email)
    password = password or generate_password()
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    if role is Role.ADMINISTRATOR:
        _set_role_flags(user, role)
        user.save()
    profile = Profile.objects.create(user=user, role=role)
    profile.sections.set(Section.objects.filter(code__in=scope.sections))
    profile.indicators.set(Indicator.objects.filter(code__in=scope.indicators))
    name = display_name(user)
    detail = (f"{name}, " if name != username else "") + role.label
    if scope.sections or scope.indicators:
        detail += f" for {scope.describe()}"
    record(SecurityEventKind.PERSON_ADDED, username, user=user, actor=by, detail=detail)
    return user, password


@transaction.atomic
def update_person(
    user,
    *,
    by=None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    role: Role | None = None,
    sections: list[str] | None = None,
    indicators: list[str] | None = None,
) -> list[SecurityEvent]:
    """Change what is given (None: leave it), each change recorded with ``by`` and
    before → after; returns the records (none when nothing changed).

    A role that takes no sections or indicators clears them unless they are given. Refused
    (:class:`PersonRefused`, nothing changed): a scope the role does not take, an email address
    someone else has, and taking the administrator role from the last active administrator.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"role": _role(user)})
    old_role, old_scope, old_name = _role(user), Scope.of(profile), display_name(user)
    new_role = old_role if role is None else Role(role)
    new_scope = Scope(
        tuple(sorted(set(sections))) if sections is not None else
        (old_scope.sections if new_role in TAKES_SECTIONS else ()),
        tuple(sorted(set(indicators))) if indicators is not None else
        (old_scope.indicators if new_role in TAKES_INDICATORS else ()),
    )  # fmt: skip
    check_scope(new_role, new_scope)
    if old_role is Role.ADMINISTRATOR and new_role is not Role.ADMINISTRATOR and user.is_active:
        _keep_an_administrator(user)
    changes: list[tuple[SecurityEventKind, str]] = []
    if first_name is not None or last_name is not None:
        user.first_name = (user.first_name if first_name is None else first_name).strip()
        user.last_name = (user.last_name if last_name is None else last_name).strip()
        if display_name(user) != old_name:
            changes.append((SecurityEventKind.NAME_CHANGED, f"{old_name} → {display_name(user)}"))
    if email is not None:
        email = check_email(email, exclude=user)
        if email != user.email:
            was = user.email or "none"
            changes.append((SecurityEventKind.EMAIL_CHANGED, f"{was} → {email or 'none'}"))
            user.email = email
    if new_role is not old_role:
        changes.append((SecurityEventKind.ROLE_CHANGED, f"{old_role.label} → {new_role.label}"))
        _set_role_flags(user, new_role)
        profile.role = new_role
        profile.save()
    if new_scope != old_scope:
        changes.append(
            (SecurityEventKind.SCOPE_CHANGED, f"{old_scope.describe()} → {new_scope.describe()}")
        )
        profile.sections.set(Section.objects.filter(code__in=new_scope.sections))
        profile.indicators.set(Indicator.objects.filter(code__in=new_scope.indicators))
    user.save()
    return [
        record(kind, user.get_username(), user=user, actor=by, detail=detail)
        for kind, detail in changes
    ]


@transaction.atomic
def set_active(user, active: bool, *, by=None) -> SecurityEvent:
    """Deactivate (cannot sign in; their session ends and their past work keeps their name) or
    reactivate a person. Refused: no change to make, administrators deactivating themselves,
    and deactivating the last active administrator."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    name = display_name(user)
    if user.is_active == active:
        raise PersonRefused(f"{name} is already {'active' if active else 'deactivated'}")
    if not active:
        if by is not None and by.pk == user.pk:
            raise PersonRefused("You cannot deactivate yourself: ask another administrator")
        if _role(user) is Role.ADMINISTRATOR:
            _keep_an_administrator(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    kind = SecurityEventKind.REACTIVATED if active else SecurityEventKind.DEACTIVATED
    detail = "deactivated → active" if active else "active → deactivated"
    return record(kind, user.get_username(), user=user, actor=by, detail=detail)


#: The detail of a reset request that sent an email (counted against the hourly limit).
RESET_SENT = "email sent"


def reset_recipients(email: str, users: list, address: str) -> list:
    """Of the active people with ``email``, those to send a reset link to now; every request is
    recorded. None when the address asking has made too many requests in the last hour, and not a
    person who has had too many emails in it: the page says the same either way, so the form is
    neither an email cannon nor a way to find out whose address is known."""
    since = timezone.now() - timedelta(hours=1)
    recent = SecurityEvent.objects.filter(
        kind=SecurityEventKind.RESET_REQUESTED, created__gte=since
    )
    typed = email.strip().lower()[:150]
    if recent.filter(address=address).count() >= settings.PASSWORD_RESET_REQUESTS_PER_HOUR:
        first = users[0] if users else None
        name = first.get_username() if first else typed
        detail = "no email sent: too many requests from this address"
        record(SecurityEventKind.RESET_REQUESTED, name, user=first, address=address, detail=detail)
        return []
    if not users:
        detail = "no email sent: no active person has this address"
        record(SecurityEventKind.RESET_REQUESTED, typed, address=address, detail=detail)
        return []
    send = []
    for user in users:
        sent = recent.filter(user=user, detail=RESET_SENT).count()
        too_many = sent >= settings.PASSWORD_RESET_EMAILS_PER_HOUR
        detail = "no email sent: too many emails to this person in the last hour"
        record(
            SecurityEventKind.RESET_REQUESTED,
            user.get_username(),
            user=user,
            address=address,
            detail=detail if too_many else RESET_SENT,
        )
        if not too_many:
            send.append(user)
    return send


@transaction.atomic
def complete_password_reset(user, password: str, *, address: str = "") -> SecurityEvent:
    """Set the password a person chose through a reset (or set-password) link."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return record(
        SecurityEventKind.RESET_COMPLETED, user.get_username(), user=user, address=address
    )


def record_invitation(user, *, by=None) -> SecurityEvent:
    """The set-password email sent to a person just added (see views/people.py)."""
    return record(
        SecurityEventKind.INVITED, user.get_username(), user=user, actor=by, detail=user.email
    )
