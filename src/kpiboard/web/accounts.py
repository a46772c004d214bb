"""People: create users with roles and what they own or approve."""

from __future__ import annotations

import secrets
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import Indicator, Profile, Role, Section, SecurityEventKind
from .security_log import record


class UsernameRefused(ValueError):
    """A new username that is empty, has invisible characters, or is already taken."""


class EmailRefused(ValueError):
    """An email address that is not one, or that another person already has."""


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


def check_email(text: str, person=None) -> str:
    """The address to keep for ``person`` (or a new person), or :class:`EmailRefused`.

    Single sign-on finds people by email address, ignoring capitals, so two people with one
    address could sign in as neither: an address someone else has is refused here.
    """
    email = text.strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise EmailRefused(f"{email!r} is not an email address") from None
    others = get_user_model().objects.filter(email__iexact=email)
    if person is not None:
        others = others.exclude(pk=person.pk)
    taken = others.first()
    if taken is not None:
        raise EmailRefused(f"{taken.get_username()} already has the email address {taken.email}")
    return email


@transaction.atomic
def set_email(person, text: str) -> str:
    """Give ``person`` a new email address (checked by :func:`check_email`; empty removes it).
    Recorded in the security audit trail: with single sign-on the address decides who can sign
    in as them."""
    email = check_email(text, person)
    before = person.email
    person.email = email
    person.save(update_fields=["email"])
    record(
        SecurityEventKind.EMAIL_CHANGED,
        person.get_username(),
        user=person,
        detail=f"from {before or '(none)'} to {email or '(none)'}",
    )
    return email


def generate_password() -> str:
    return secrets.token_urlsafe(15)


@transaction.atomic
def create_person(
    username: str,
    role: Role,
    *,
    password: str | None = None,
    sections: list[str] = (),
    indicators: list[str] = (),
    email: str = "",
) -> tuple[object, str]:
    """A new user with ``role``; returns (user, password). A generated password if none given.

    The username is kept normalised (:func:`normalise_username`); one that is refused by
    :func:`check_new_username` raises :class:`UsernameRefused`. The new person, with their role
    and what they own or approve (never the password), goes in the security audit trail.
    """
    username = check_new_username(username)
    password = password or generate_password()
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    if role is Role.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save()
    profile = Profile.objects.create(user=user, role=role)
    if sections:
        profile.sections.set(Section.objects.filter(code__in=sections))
    if indicators:
        profile.indicators.set(Indicator.objects.filter(code__in=indicators))
    links = [f"section {c}" for c in sections] + [f"indicator {c}" for c in indicators]
    detail = role.label + (f" for {', '.join(links)}" if links else "")
    record(SecurityEventKind.PERSON_ADDED, username, user=user, detail=detail)
    return user, password
