from django.core.management.base import BaseCommand

from ...store import export_pack


class Command(BaseCommand):
    help = "Write the database out as a pack folder (current values of everything)."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        path = export_pack(directory)
        self.stdout.write(f"Exported to {path}.")
