from django.core.management.base import BaseCommand, CommandError

from ....packs.problems import PackError
from ...store import load_pack_into_db


class Command(BaseCommand):
    help = "Load a pack folder into the database (new revisions for what changed; nothing removed)."

    def add_arguments(self, parser):
        parser.add_argument("pack")
        parser.add_argument("--reason", default="")

    def handle(self, pack, reason, **options):
        try:
            site = load_pack_into_db(pack, reason=reason)
        except PackError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Loaded {pack}: data version {site.version}.")
