from django.core.management.base import BaseCommand

from archive.backup import MANIFEST, export_archive


class Command(BaseCommand):
    help = (
        "Write the whole archive (history included, natural keys, no password hashes) into a "
        "folder, with a SHA-256 manifest for check_fixity."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to write; created if missing.")

    def handle(self, *args, directory, **options):
        names = export_archive(directory)
        self.stdout.write(f"Wrote {len(names)} files and {MANIFEST} to {directory}.")
