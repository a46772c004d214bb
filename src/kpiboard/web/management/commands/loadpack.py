"""``kpiboard manage loadpack PACK``: load a pack folder into the database.

Changing figures or commentary of approved periods needs ``--user`` (an analyst or
administrator, recorded as the author) and ``--reason``, as changing them on the web does.
A large pack's figures are written in one transaction by the bulk path (see web.bulk_figures),
with a progress bar on stderr when it is a terminal.
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ....packs.problems import PackError
from ....progress import TerminalProgress
from ...accounts import normalise_username
from ...store import load_pack_into_db
from ...writes import Locked


class Command(BaseCommand):
    help = (
        "Load a pack folder into the database (new revisions for what changed; nothing removed). "
        "Changes to approved periods need --user and --reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("pack")
        parser.add_argument("--reason", default="", help="why: recorded with every change")
        parser.add_argument(
            "--user",
            default="",
            metavar="USERNAME",
            help="who is loading: recorded as the author (needed to change approved periods)",
        )
        parser.add_argument(
            "--forget-benchmarks",
            action="store_true",
            help="drop the benchmarks.yaml the site holds (for a pack without one)",
        )

    def handle(self, pack, reason, user, forget_benchmarks, **options):
        person = None
        if user:
            person = get_user_model().objects.filter(username=normalise_username(user)).first()
            if person is None or not person.is_active:
                raise CommandError(f"no active person called {user!r} (see addperson)")
        stream = getattr(self.stderr, "_out", sys.stderr)  # the terminal under Django's wrapper
        try:
            with TerminalProgress(stream) as progress:
                site = load_pack_into_db(
                    pack, user=person, reason=reason, progress=progress,
                    forget_benchmarks=forget_benchmarks,
                )  # fmt: skip
        except PackError as exc:
            raise CommandError(str(exc)) from None
        except Locked as exc:
            raise CommandError(exc.errors[""]) from None
        self.stdout.write(f"Loaded {pack}: data version {site.version}.")
