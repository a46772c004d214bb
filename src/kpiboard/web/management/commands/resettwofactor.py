"""``kpiboard manage resettwofactor USERNAME``: remove a person's authenticator app and recovery
codes (a lost phone), recorded in the security audit trail."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...accounts import normalise_username
from ...two_factor import has_two_factor, is_required, recovery_codes_left, reset_two_factor


class Command(BaseCommand):
    help = (
        "Reset a person's two-factor authentication (say after a lost phone): their app and "
        "recovery codes stop working. Where two-factor authentication is required of them, they "
        "set it up again after their next sign-in; otherwise they sign in with the password alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        name = normalise_username(username)
        person = get_user_model().objects.filter(username=name).first()
        if person is None:
            raise CommandError(f"there is nobody called {name!r}")
        if not has_two_factor(person) and not recovery_codes_left(person):
            self.stdout.write(f"{name} has no two-factor authentication set up: nothing to reset.")
            return
        reset_two_factor(person, None)
        then = (
            "They must set it up again after their next sign-in."
            if is_required(person)
            else "They can sign in with their password alone, and set it up again."
        )
        self.stdout.write(f"Reset two-factor authentication for {name}. {then}")
