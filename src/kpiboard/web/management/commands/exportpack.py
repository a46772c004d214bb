from django.core.management.base import BaseCommand, CommandError

from ...store import ExportError, export_pack


class Command(BaseCommand):
    help = (
        "Write the database out as a new pack folder (current values of everything), read it "
        "back and check it matches; exits non-zero, leaving no folder, when it does not."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        try:
            path = export_pack(directory)
        except ExportError as exc:
            raise CommandError(f"Export failed: {exc}") from None
        self.stdout.write(f"Exported to {path} and checked: it reads back the same.")
