"""`manage.py add_document PATH --title … --kind …`: add a source document from a text file."""

import datetime
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from archive.models import Author, DatePrecision, Document

DEFAULT_REASON = "Added with add_document"
REASON_MAX_LENGTH = 100  # django-simple-history's history_change_reason column
DATE_FORMS = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


def read_text(path):
    """The file's text, exactly as written (a leading byte-order mark dropped); never empty."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not UTF-8 text (byte {error.start} cannot be read); "
            "convert it to UTF-8 first."
        ) from error
    if not text.strip():
        raise CommandError(f"{path} is empty: a document needs its text.")
    return text


def parse_date(value):
    """(date, precision) from 1990-02-01 (day), 1990-02 (month) or 1990 (year); (None, "")."""
    if not value:
        return None, ""
    match = DATE_FORMS.fullmatch(value.strip())
    if match is None:
        raise CommandError(
            f"--date “{value}” is not a date: write 1990-02-01, 1990-02 or 1990, "
            "as precisely as the source gives it."
        )
    year, month, day = (int(part) if part else None for part in match.group("year", "month", "day"))
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        return datetime.date(year, month or 1, day or 1), precision
    except ValueError as error:
        raise CommandError(f"--date “{value}” is not a real date ({error}).") from error


def find_authors(slugs):
    """The authors with these slugs, in the order given; an unknown slug is an error."""
    found = Author.objects.in_bulk(slugs, field_name="slug")
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise CommandError(
            f"No author with the slug {', '.join(f'“{slug}”' for slug in unknown)}; "
            "add the author in the admin first, or check the spelling at /admin/archive/author/."
        )
    return [found[slug] for slug in slugs]


def choose_slug(slug, title):
    """The given slug, or one made from the title; never one a document has or once had."""
    slug = slug or slugify(title)[:120].strip("-")
    if not slug:
        raise CommandError(f"Cannot make a slug from the title “{title}”; give one with --slug.")
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise CommandError(f"--slug “{slug}”: {' '.join(error.messages)}") from error
    if Document.objects.filter(slug=slug).exists():
        raise CommandError(
            f"A document with the slug “{slug}” already exists (/documents/{slug}/); "
            "nothing was written. Give another --slug, or edit that document in the admin."
        )
    if Document.history.filter(slug=slug).exists():
        raise CommandError(
            f"The slug “{slug}” was a document's address once, and /documents/{slug}/ still "
            "redirects to that document; give another --slug."
        )
    return slug


def check_reason(reason):
    if len(reason) > REASON_MAX_LENGTH:
        raise CommandError(f"--reason is limited to {REASON_MAX_LENGTH} characters.")
    return reason


def save_as_one_revision(document, authors, reason):
    """Save the new document and its authors, recorded in its history as one "Created" revision.

    Saving and then setting the authors would record two revisions (created without authors,
    then changed); instead both are written unrecorded, and one record is made afterwards.
    """
    document._change_reason = reason
    document.skip_history_when_saving = True
    try:
        document.save()
        document.authors.set(authors)
    finally:
        del document.skip_history_when_saving
    document.save()
    document.history.update(history_type="+")


class Command(BaseCommand):
    help = (
        "Add a source document from a UTF-8 text file, with its catalogue data, in one "
        "transaction. Never overwrites an existing document. Prints its admin and public URLs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="UTF-8 text file: the document's full cleaned text.")
        parser.add_argument("--title", required=True)
        parser.add_argument("--kind", required=True, choices=Document.Kind.values)
        parser.add_argument(
            "--author",
            dest="authors",
            action="append",
            default=[],
            metavar="SLUG",
            help="An author's slug; repeat for several authors.",
        )
        parser.add_argument(
            "--date", default="", help="When published: 1990-02-01, 1990-02 or 1990."
        )
        parser.add_argument("--publication", default="", help="Journal, magazine or site.")
        parser.add_argument("--url", default="", help="Where the document was read.")
        parser.add_argument("--slug", default="", help="Default: made from the title.")
        parser.add_argument(
            "--provenance", default="", help="How the text was captured and what it lacks."
        )
        parser.add_argument(
            "--reason", default=DEFAULT_REASON, help="The change reason kept in the history."
        )

    def handle(self, *args, **options):
        text = read_text(options["path"])
        title = options["title"].strip()
        if not title:
            raise CommandError("--title may not be empty.")
        published_on, precision = parse_date(options["date"])
        reason = check_reason(options["reason"].strip() or DEFAULT_REASON)
        with transaction.atomic():
            document = Document(
                title=title,
                slug=choose_slug(options["slug"].strip(), title),
                kind=options["kind"],
                publication=options["publication"].strip(),
                published_on=published_on,
                published_precision=precision,
                url=options["url"].strip(),
                provenance=options["provenance"].strip(),
                text=text,
            )
            authors = find_authors(options["authors"])
            try:
                document.full_clean()
            except ValidationError as error:
                raise CommandError(describe(error)) from error
            save_as_one_revision(document, authors, reason)
        self.stdout.write(f"Added document {document.pk}: {document.title}")
        self.stdout.write(
            f"  admin:  {reverse('admin:archive_document_change', args=[document.pk])}"
        )
        self.stdout.write(f"  public: {document.get_absolute_url()}")


def describe(error):
    """A ValidationError as one line per field: “url: Enter a valid URL.”."""
    return "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
    )
