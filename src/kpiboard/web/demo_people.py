"""The demo's people: an owner and an approver for every section, with example.org addresses,
so the reporting cycle (tasks, reminders, escalation) can be seen as soon as the demo starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .accounts import create_person
from .models import Role, Section

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EMAIL_DOMAIN = "example.org"
#: Invented names, given in turn (owner, approver, section by section), so the demo's pages show
#: people by name as a real site would.
NAMES = [
    ("Jordan", "Ellis"), ("Sam", "Okafor"), ("Ruth", "Lindqvist"), ("Dev", "Chauhan"),
    ("Aisha", "Rahman"), ("Callum", "Reid"), ("Nia", "Hughes"), ("Tomasz", "Zielinski"),
    ("Bethan", "Morgan"), ("Kwame", "Asante"), ("Fiona", "Gallagher"), ("Imran", "Siddiqui"),
]  # fmt: skip


def create_demo_people() -> list[tuple[User, str]]:
    """Create ``CODE-owner`` (owns the section's indicators) and ``CODE-approver`` for each
    section; returns (person, password) pairs, passwords generated."""
    made: list[tuple[User, str]] = []
    for section in Section.objects.all():
        for role, word in ((Role.OWNER, "owner"), (Role.APPROVER, "approver")):
            name = f"{section.code}-{word}"
            first, last = NAMES[len(made) % len(NAMES)]
            made.append(
                create_person(
                    name,
                    role,
                    sections=[section.code],
                    email=f"{name}@{EMAIL_DOMAIN}",
                    first_name=first,
                    last_name=last,
                )
            )
    return made
