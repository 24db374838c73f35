"""The archive's six models: who said what, where it was found, and what it bears on."""

import functools
import json

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Expression, F, Q
from django.db.models.expressions import Col, RawSQL
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from simple_history.models import HistoricalRecords

from archive.verification import locate, nearest_passage


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"
    RANGE = "range", "range of dates"


def partial_iso(start, end, precision):
    """ISO 8601 text of a date as precisely as it is known: '1921-02-19', '1921-02', '1921'."""
    if start is None:
        return ""
    if precision == DatePrecision.MONTH:
        return start.strftime("%Y-%m")
    if precision == DatePrecision.YEAR:
        return str(start.year)
    if precision == DatePrecision.RANGE and end and end != start:
        return f"{start.isoformat()}/{end.isoformat()}"
    return start.isoformat()


@functools.cache
def month_names(language):
    """Django's MONTHS as plain strings in `language`. Its names are translated lazily: each
    costs a translation lookup when written (~30 µs, measured), and a date range has two."""
    with translation.override(language):
        return {number: str(name) for number, name in MONTHS.items()}


def partial_label(start, end, precision):
    """A date as readers see it, as precisely as it is known: '19 February 1921', 'February
    1921', '1921', or a range. Written out here rather than with the template's date filter,
    which took ~45 µs a call (measured), on every quote of every list."""
    if start is None:
        return ""
    months = month_names(translation.get_language())

    def day(value):
        return f"{value.day} {months[value.month]} {value.year:04d}" if value else ""

    if precision == DatePrecision.MONTH:
        return f"{months[start.month]} {start.year:04d}"
    if precision == DatePrecision.YEAR:
        return f"{start.year:04d}"
    if precision == DatePrecision.RANGE:
        return f"{day(start)} – {day(end)}"
    return day(start) if precision == DatePrecision.DAY else ""


class UpdatedAtField(models.DateTimeField):
    """Like auto_now, but with a default, so that raw fixture loads get a time too."""

    def pre_save(self, model_instance, add):
        value = timezone.now()
        setattr(model_instance, self.attname, value)
        return value


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=120,
        help_text="Part of the topic's public URL. Changing it changes a citable address.",
    )
    description = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First year of the period, if the topic has one."
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last year of the period, if the topic has one."
    )

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="topic_slug_unique"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(start_year__lte=F("end_year")),
                name="topic_period_in_order",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/topics/{self.slug}/"  # as Quote.get_absolute_url

    def natural_key(self):
        return (self.slug,)


class Author(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "person"
        PSEUDONYM = "pseudonym", "pseudonymous poster"
        ORGANISATION = "organisation", "organisation"

    name = models.CharField(max_length=200, help_text="As readers should see it: “V. I. Lenin”.")
    sort_name = models.CharField(
        max_length=200, help_text="For alphabetical lists: “Lenin, V. I.”."
    )
    slug = models.SlugField(
        max_length=120,
        help_text="Part of the author's public URL. Changing it changes a citable address.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    other_names = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names and spellings found in the sources (Shmelyev for Shmelev); "
        "search finds the author by any of them.",
    )
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    death_year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One factual line: “Soviet economist; author of ‘Advances and Debts’, 1987”.",
    )

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_name"]
        indexes = [
            # The author list and the quote list sorted by speaker, read in name order.
            models.Index(fields=["sort_name", "id"], name="author_by_sort_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="author_slug_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="author_name_not_empty"),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(death_year__isnull=True)
                | Q(birth_year__lte=F("death_year")),
                name="author_born_before_death",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/authors/{self.slug}/"  # as Quote.get_absolute_url

    def natural_key(self):
        return (self.slug,)


class Document(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "article"
        FORUM_THREAD = "forum-thread", "forum thread"
        INTERVIEW = "interview", "interview"
        PAPER = "paper", "paper"
        SPEECH = "speech", "speech"
        LETTER = "letter", "letter"
        BOOK = "book", "book"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=120,
        help_text="Part of the document's public URL. Changing it changes a citable address.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    authors = models.ManyToManyField(Author, blank=True, related_name="documents")
    publication = models.CharField(
        max_length=300, blank=True, help_text="Journal, magazine or site: “The Freeman”."
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty if the source gives no date."
    )
    published_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        blank=True,
        help_text="How much of the date is known; 1990-01-01 with “year” means 1990.",
    )
    url = models.URLField(max_length=500, blank=True, help_text="Where the document was read.")
    text = models.TextField(help_text="The full cleaned text. Quotes are located in it.")
    provenance = models.TextField(
        blank=True, help_text="How the text was captured and what it lacks."
    )
    capture_file = models.CharField(
        max_length=200, blank=True, help_text="The raw capture this text was cleaned from."
    )

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords(m2m_fields=[authors])

    class Meta:
        ordering = ["published_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="document_slug_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(published_precision=""),
                name="document_date_has_precision",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/documents/{self.slug}/"  # as Quote.get_absolute_url

    def natural_key(self):
        return (self.slug,)

    @property
    def published_iso(self):
        return partial_iso(self.published_on, self.published_on, self.published_precision)


class Claim(models.Model):
    text = models.CharField(
        max_length=300, help_text="One neutral sentence that the sources argue about."
    )
    slug = models.SlugField(
        max_length=120,
        help_text="Part of the claim's public URL. Changing it changes a citable address.",
    )
    summary = models.TextField(
        blank=True, help_text="A short, neutral account of the disagreement; takes no side."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="claim_slug_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="claim_text_not_empty"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return f"/claims/{self.slug}/"  # as Quote.get_absolute_url

    def natural_key(self):
        return (self.slug,)


def published_via(path=""):
    """The condition for quotes readers may see (published, and found verbatim in their
    document), seen from a related model through `path` ("quote", "quotes"): filtering by a
    join instead of `quote__in=<published quotes>`, a subquery that reads every one."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}status": Quote.Status.PUBLISHED, f"{prefix}start_offset__isnull": False})


# The fields a quote card shows (archive/templatetags/cards.py): the quote's own (""), its
# speaker's and its document's. Quote.objects.for_cards() and archive/cards.py read these.
CARD_FIELDS = {
    "": ["text", "said_start", "said_end", "said_precision", "attribution"],
    "speaker": ["slug", "name"],
    "document": ["slug", "title"],
}


def ids_subquery(vendor, ids):
    """(sql, params) of a subquery that lists `ids`, sent as ONE parameter (an array on
    PostgreSQL, JSON on SQLite), for `column IN (subquery)`: QuoteQuerySet.among,
    archive/cards.py."""
    ids = [int(pk) for pk in ids]
    if vendor == "postgresql":
        return "SELECT unnest(%s::integer[])", (ids,)
    return "SELECT value FROM json_each(%s)", (json.dumps(ids),)


class QuoteQuerySet(models.QuerySet):
    def published(self):
        """Quotes readers may see: published, and found verbatim in their document."""
        return self.filter(published_via())

    def reverify(self):
        """Find each quote in its document again and store its place; return (found, lost).

        Places are written with update(), and only where they changed: re-verification is not
        a curator's edit and leaves no history. A quote no longer found loses its place (it is
        orphaned, hidden from readers) instead of being given a guessed one.
        """
        from archive import caching  # caching imports this module

        found, lost = [], []
        # A document's quotes one after another: its text is normalized once for them all.
        quotes = self.select_related("document").order_by("document_id", "pk")
        for quote in quotes.iterator(chunk_size=500):
            before = (quote.start_offset, quote.end_offset, quote.prefix, quote.suffix)
            (found if quote.relocate() else lost).append(quote)
            place = {
                "start_offset": quote.start_offset,
                "end_offset": quote.end_offset,
                "prefix": quote.prefix,
                "suffix": quote.suffix,
            }
            if tuple(place.values()) != before:
                Quote.objects.filter(pk=quote.pk).update(**place)
        caching.archive_changed()  # update() sends no signal; cached pages are now stale
        return found, lost

    def with_speaker(self):
        """With the speaker and the document, but not the document's text: lists of quotes
        show where each was found, and a document's text runs to tens of kilobytes."""
        return self.select_related("speaker", "document").defer("document__text")

    def for_cards(self):
        """With their speaker and document, and only the columns a quote card shows
        (archive/templatetags/cards.py): for every page that shows cards (the quote list, the
        home, topic and author pages), fewer columns to compile, read and load."""
        related = [
            f"{name}__{field}" for name in ("speaker", "document") for field in CARD_FIELDS[name]
        ]
        return self.select_related("speaker", "document").only(*CARD_FIELDS[""], *related)

    def among(self, ids):
        """Those of these quotes whose id is in `ids`, a list of any length sent as ONE
        parameter (an array on PostgreSQL, JSON on SQLite): a placeholder per id costs Django
        and the driver milliseconds per thousand ids on every query that carries them."""
        return self.filter(pk__in=RawSQL(*ids_subquery(connections[self.db].vendor, ids)))

    def said_between(self, first_year, last_year):
        """Quotes whose date said overlaps the years first_year to last_year, inclusive."""
        queryset = self
        if first_year is not None:
            queryset = queryset.filter(said_end__year__gte=first_year)
        if last_year is not None:
            queryset = queryset.filter(said_start__year__lte=last_year)
        return queryset


class Quote(models.Model):
    class Attribution(models.TextChoices):
        VERIFIED = "verified", "verified"
        AS_QUOTED = "as-quoted", "as quoted"
        DISPUTED = "disputed", "disputed"
        MISATTRIBUTED = "misattributed", "misattributed"

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"
        WITHDRAWN = "withdrawn", "withdrawn"
        MERGED = "merged", "merged into another quote"

    # The primary key is the quote's permanent URL (/quotes/<id>/). AutoField ids are never
    # reused: SQLite tables use AUTOINCREMENT and PostgreSQL sequences never go back.
    text = models.TextField(
        help_text="Exactly as the document has it. Mark left-out words with “…” "
        "and your own insertions with [square brackets]."
    )
    speaker = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="Who said or wrote these words; not necessarily the document's author.",
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="The document in which these words were found.",
    )
    start_offset = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Set by verification."
    )
    end_offset = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Set by verification."
    )
    prefix = models.CharField(max_length=64, blank=True, editable=False)
    suffix = models.CharField(max_length=64, blank=True, editable=False)
    said_start = models.DateField(
        null=True, blank=True, help_text="When it was said or written. Empty if unknown."
    )
    said_end = models.DateField(
        null=True,
        blank=True,
        help_text="The last day it may have been said: the same as the start for a known day, "
        "the month's or year's last day for a month or year.",
    )
    said_precision = models.CharField(max_length=10, choices=DatePrecision.choices, blank=True)
    original_source = models.TextField(
        blank=True,
        help_text="Where the speaker first said it, if the document names it: "
        "“Letter to G. M. Krzhizhanovsky, 19 February 1921, Collected Works vol. 35, p. 475”.",
    )
    via = models.TextField(
        blank=True,
        help_text="Who relayed the quote, if it reached the document second-hand: "
        "“quoted in Thomas G. West, Marx and Lenin”.",
    )
    attribution = models.CharField(
        max_length=20,
        choices=Attribution.choices,
        default=Attribution.AS_QUOTED,
        help_text="Verified: the document is the speaker's own words. As quoted: the document "
        "quotes the speaker and the wording has not been checked against the original.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes")
    claims = models.ManyToManyField(Claim, through="Stance", related_name="quotes")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    withdrawn_reason = models.TextField(
        blank=True,
        help_text="Shown to readers who follow a citation of a withdrawn quote. Required to "
        "withdraw.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_quotes",
        help_text="The quote that replaces this one; this quote's address will redirect there.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = UpdatedAtField(default=timezone.now, editable=False)

    # Search results set it: the text with the words searched for marked (search.add_headlines).
    headline = None

    objects = QuoteQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[topics], excluded_fields=["start_offset", "end_offset", "prefix", "suffix"]
    )

    class Meta:
        ordering = ["said_start", "id"]
        indexes = [
            # The archive's last change (archive/caching.py) without reading every quote.
            models.Index(fields=["updated_at"], name="quote_updated_at"),
            # The quote list in date order, and the newest additions: a page is read from the
            # index, not by sorting every quote. (PostgreSQL puts NULLs last in ascending
            # order, as the list does; latest first has an index of its own there, made by
            # migration 0005, since SQLite cannot write NULLS LAST in an index.)
            models.Index(
                fields=["said_start", "id"],
                name="quote_published_by_date",
                condition=Q(status="published", start_offset__isnull=False),
            ),
            models.Index(
                fields=["-created_at", "-id"],
                name="quote_published_by_addition",
                condition=Q(status="published", start_offset__isnull=False),
            ),
            # A speaker's quotes in date order (author pages; the list sorted by speaker). On
            # PostgreSQL it also holds what an author page counts (dates said, documents), so
            # that their counts read the index alone, not every quote's row.
            models.Index(
                fields=["speaker", "said_start", "id"],
                include=["said_end", "document"],
                name="quote_published_by_speaker",
                condition=Q(status="published", start_offset__isnull=False),
            ),
            # The archive's counts by attribution (archive/tallies.py) read from the index,
            # not from every quote's row (~90 against ~20 ms at 100,000 quotes on PostgreSQL).
            models.Index(
                fields=["attribution"],
                name="quote_published_by_attribution",
                condition=Q(status="published", start_offset__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="quote_text_not_empty"),
            models.CheckConstraint(
                condition=Q(said_start__isnull=True)
                | Q(said_end__isnull=True)
                | Q(said_start__lte=F("said_end")),
                name="quote_said_start_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(said_start__isnull=True) | ~Q(said_precision=""),
                name="quote_said_date_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(start_offset__isnull=True, end_offset__isnull=True)
                | Q(start_offset__lt=F("end_offset")),
                name="quote_offsets_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="quote_withdrawal_has_reason",
            ),
            # A merged quote's address redirects to the quote that replaced it.
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="quote_merged_names_its_replacement",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="quote_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        words = self.text.split()
        opening = " ".join(words[:12])
        return f"{self.speaker}: “{opening}{'…' if len(words) > 12 else ''}”"

    def get_absolute_url(self):
        # The contract's permanent address (../shared/CONTRACT.md) written out, as the templates
        # write theirs: reverse() took ~40 µs a call, three per quote card. A test holds every
        # model's address to the URLconf (tests/test_permanence.py).
        return f"/quotes/{self.pk}/"

    def clean(self):
        """A quote that is not found verbatim in its document may be a draft, never published."""
        if self.status == self.Status.PUBLISHED and self.document_id and self.text:
            if self.find_in_document() is None:
                closest = nearest_passage(self.text, self.document.text)
                raise ValidationError(
                    {
                        "text": "These words are not in the document verbatim, so the quote "
                        "cannot be published; save it as a draft or correct it. "
                        + (f"Closest passage: “{closest}”" if closest else "Nothing alike.")
                    }
                )
        if self.status == self.Status.MERGED and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": "A quote cannot be merged into itself."})

    def find_in_document(self):
        """Where this quote stands in its document's text (a Location), or None."""
        return locate(self.text, self.document.text)

    def relocate(self):
        """Find the quote in its document again and set its place; True if it was found.

        Only sets the fields; the caller saves. A quote no longer found loses its place (it is
        "orphaned": readers stop seeing it) instead of being given a guessed one.
        """
        location = self.find_in_document()
        if location is None:
            self.start_offset = self.end_offset = None
            self.prefix = self.suffix = ""
            return False
        self.start_offset, self.end_offset = location.start, location.end
        self.prefix, self.suffix = location.prefix, location.suffix
        return True

    def withdraw(self, reason, when=None):
        """Take the quote out of the archive; its address answers 410 with the reason."""
        self.status = self.Status.WITHDRAWN
        self.withdrawn_reason = reason
        self.withdrawn_at = when or timezone.now()
        self.merged_into = None

    def merge_into(self, other):
        """Replace this quote by another; its address answers 301 to the other's."""
        if other.pk == self.pk:
            raise ValidationError("A quote cannot be merged into itself.")
        self.status = self.Status.MERGED
        self.merged_into = other

    @property
    def is_orphaned(self):
        """Published, but no longer found in its document (hidden from readers)."""
        return self.status == self.Status.PUBLISHED and not self.is_located

    @property
    def is_located(self):
        return self.start_offset is not None

    @property
    def said_iso(self):
        return partial_iso(self.said_start, self.said_end, self.said_precision)

    def said_label(self):
        return partial_label(self.said_start, self.said_end, self.said_precision)


class QuoteColumn(Expression):
    """A column of archive_quote that a migration adds on PostgreSQL only: search_vector
    (migration 0002), topic_ids and claim_ids (0008).

    It is not a model field (SQLite has no such column), so it is resolved here into a
    column reference on the query's own table alias, which stays right inside subqueries.
    """

    def __init__(self, name):
        super().__init__(output_field=quote_columns()[name])
        self.name = name

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        return Col(query.get_initial_alias(), self.output_field)


@functools.cache
def quote_columns():
    """{name: field} of QuoteColumn's columns, each made once: a field cloned for every
    query took ~0.3 ms of each search page."""
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.search import SearchVectorField

    fields = {
        "search_vector": SearchVectorField(),
        "topic_ids": ArrayField(models.IntegerField()),
        "claim_ids": ArrayField(models.IntegerField()),
    }
    for name, field in fields.items():
        field.set_attributes_from_name(name)
        field.model = Quote
    return fields


class StanceManager(models.Manager):
    def get_by_natural_key(self, quote_id, claim_slug):
        return self.get(quote_id=quote_id, claim__slug=claim_slug)


class Stance(models.Model):
    class Position(models.TextChoices):
        SUPPORTS = "supports", "supports"
        OPPOSES = "opposes", "opposes"
        QUALIFIES = "qualifies", "qualifies"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="stances")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="stances")
    position = models.CharField(max_length=10, choices=Position.choices)
    note = models.TextField(
        blank=True, help_text="Optional: why the quote bears on the claim, in neutral words."
    )

    objects = StanceManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "position", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "claim"], name="stance_one_per_quote_and_claim"
            ),
        ]

    def __str__(self):
        return f"Quote {self.quote_id} {self.position} “{self.claim}”"

    def natural_key(self):
        return (self.quote_id, self.claim.slug)

    natural_key.dependencies = ["archive.quote", "archive.claim"]
