"""``kpiboard manage setrole USERNAME ROLE``: change a person's role (and what they own or
approve), through the same function and audit record as the People page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...accounts import PersonRefused, display_name, normalise_username, update_person
from ...models import Role


class Command(BaseCommand):
    help = (
        "Change a person's role. Owners need --indicator or --section codes, approvers --section "
        "codes; given ones replace what the person had, and other roles have none. --by names the "
        "administrator making the change, for the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument(
            "--section", action="append", metavar="CODE", help="a section they own or approve"
        )
        parser.add_argument(
            "--indicator", action="append", metavar="CODE", help="an indicator they own"
        )
        parser.add_argument("--by", metavar="ADMIN", help="the administrator making the change")

    def handle(self, username, role, section, indicator, by, **options):
        person = _person(username)
        actor = _person(by) if by else None
        if actor is not None and not (actor.is_active and actor.is_superuser):
            raise CommandError(f"--by {actor.get_username()} is not an active administrator")
        try:
            changes = update_person(
                person, by=actor, role=Role(role), sections=section, indicators=indicator
            )
        except PersonRefused as exc:
            raise CommandError(str(exc)) from None
        if not changes:
            self.stdout.write(f"{display_name(person)} is already {Role(role).label}: no change.")
        for change in changes:
            self.stdout.write(
                f"{display_name(person)}: {change.get_kind_display()}, {change.detail}."
            )


def _person(username: str):
    found = get_user_model().objects.filter(username=normalise_username(username)).first()
    if found is None:
        raise CommandError(f"there is no person called {normalise_username(username)!r}")
    return found
