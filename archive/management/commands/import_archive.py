from django.core.management.base import BaseCommand, CommandError

from archive.backup import fixity_problems, holds_archive_data, import_archive


class Command(BaseCommand):
    help = (
        "Restore an export made by export_archive into an empty database, after checking it "
        "against its manifest. Never writes over an archive that holds data."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        problems = fixity_problems(directory)
        if problems:
            raise CommandError("The export fails its fixity check: " + "; ".join(problems))
        if holds_archive_data():
            raise CommandError(
                "This database already holds archive data; import_archive only restores into "
                "an empty one (run migrate on a new database first)."
            )
        import_archive(directory)
        self.stdout.write(f"Restored the archive from {directory}.")
