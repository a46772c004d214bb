from django.core.management.base import BaseCommand, CommandError

from ...accounts import DEMO_ADMINISTRATOR, create_person
from ...demo_people import create_demo_people
from ...models import Indicator, Role
from ...store import load_pack_into_db


class Command(BaseCommand):
    help = "Load the demo pack into an empty database and create an administrator."

    def add_arguments(self, parser):
        from ....demo import DemoKind

        parser.add_argument("--admin", default="admin", help="the administrator's username")
        parser.add_argument(
            "--kind",
            choices=[k.value for k in DemoKind],
            default=DemoKind.COUNCIL.value,
            help="which demo: the council's 2013 report or an NHS trust's board report",
        )

    def handle(self, admin, kind, **options):
        from ....demo import pack_source

        if Indicator.objects.exists():
            raise CommandError("the database already holds indicators; use a fresh database")
        load_pack_into_db(pack_source(kind), reason="Demo pack")
        user, password = create_person(admin, Role.ADMINISTRATOR, **DEMO_ADMINISTRATOR)
        self.stdout.write(f"Administrator: {user.get_username()} / {password}")
        for person, secret in create_demo_people():
            role = person.kpi_profile.get_role_display()
            self.stdout.write(f"{role}: {person.get_username()} / {secret} ({person.email})")
