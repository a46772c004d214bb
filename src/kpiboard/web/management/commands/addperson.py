"""``kpiboard manage addperson``: create a person with a role, and what they own or approve."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...accounts import (
    TAKES_INDICATORS,
    TAKES_SECTIONS,
    EmailRefused,
    PersonRefused,
    UsernameRefused,
    check_email,
    check_new_username,
    create_person,
)
from ...models import Indicator, Role, Section


class Command(BaseCommand):
    help = (
        "Create a person with a role: administrator or analyst (everything), owner (enters data "
        "and commentary for their --indicator and --section codes), approver (signs off their "
        "--section codes) or viewer (reads). Prints a generated password unless "
        "--password-stdin is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, choices=[r.value for r in Role], help="what they may do"
        )
        parser.add_argument(
            "--section",
            action="append",
            default=[],
            metavar="CODE",
            help="a section the owner or approver is responsible for (repeat for more)",
        )
        parser.add_argument(
            "--indicator",
            action="append",
            default=[],
            metavar="CODE",
            help="an indicator the owner is responsible for (repeat for more)",
        )
        parser.add_argument(
            "--email",
            default="",
            help="their email address: for password resets, reminders and single sign-on "
            "(one person per address)",
        )
        parser.add_argument("--first-name", default="", help="shown instead of the username")
        parser.add_argument("--last-name", default="", help="shown after the first name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (the first line) instead of generating one",
        )

    def handle(self, username, role, section, indicator, email, password_stdin, **options):
        first_name, last_name = options["first_name"], options["last_name"]
        role = Role(role)
        try:
            username = check_new_username(username)
        except UsernameRefused as exc:
            raise CommandError(str(exc)) from None
        if section and role not in TAKES_SECTIONS:
            raise CommandError(f"--section is for owners and approvers, not {role.label.lower()}s")
        if indicator and role not in TAKES_INDICATORS:
            raise CommandError(f"--indicator is for owners, not {role.label.lower()}s")
        if role is Role.OWNER and not (section or indicator):
            raise CommandError("an owner needs at least one --indicator or --section")
        if role is Role.APPROVER and not section:
            raise CommandError("an approver needs at least one --section")
        try:
            email = check_email(email)
        except EmailRefused as exc:
            raise CommandError(f"--email: {exc}") from None
        _check_codes(Section, section, "section")
        _check_codes(Indicator, indicator, "indicator")

        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
            try:
                validate_password(password, get_user_model()(username=username, email=email))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        try:
            user, password = create_person(
                username,
                role,
                password=password,
                sections=section,
                indicators=indicator,
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
        except PersonRefused as exc:
            raise CommandError(str(exc)) from None
        links = [f"section {c}" for c in section] + [f"indicator {c}" for c in indicator]
        self.stdout.write(
            f"Created {user.get_username()} ({role.label})"
            + (f" for {', '.join(links)}" if links else "")
            + "."
        )
        if not password_stdin:
            self.stdout.write(f"Password: {password}")


def _check_codes(model, codes: list[str], what: str) -> None:
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise CommandError(
            f"no {what} with code {', '.join(unknown)} (load the pack first: kpiboard manage "
            "loadpack PACK)"
        )
