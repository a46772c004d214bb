"""People: create users with roles and what they own or approve."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Indicator, Profile, Role, Section


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
    """A new user with ``role``; returns (user, password). A generated password if none given."""
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
    return user, password
