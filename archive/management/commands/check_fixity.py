from django.core.management.base import BaseCommand, CommandError

from archive.backup import MANIFEST, fixity_problems


class Command(BaseCommand):
    help = f"Check a saved export against its {MANIFEST}; exits non-zero on any difference."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        problems = fixity_problems(directory)
        if problems:
            for problem in problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"{len(problems)} fixity problem(s) in {directory}.")
        self.stdout.write(f"Every file in {directory} matches {MANIFEST}.")
