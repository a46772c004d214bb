"""``kpiboard manage setemail``: record (or change, or remove) a person's email address, the one
single sign-on matches them by."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...accounts import EmailRefused, normalise_username, set_email


class Command(BaseCommand):
    help = (
        "Set a person's email address. With single sign-on they sign in with the provider "
        "account that has this address; one person per address. An empty ADDRESS removes it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("address")

    def handle(self, username, address, **options):
        name = normalise_username(username)
        person = get_user_model().objects.filter(username=name).first()
        if person is None:
            raise CommandError(f"there is no person called {name!r}")
        try:
            email = set_email(person, address)
        except EmailRefused as exc:
            raise CommandError(str(exc)) from None
        if email:
            self.stdout.write(f"{person.get_username()} now has the email address {email}.")
        else:
            self.stdout.write(f"{person.get_username()} now has no email address.")
