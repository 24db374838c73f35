"""A synthetic corpus shaped like the real archive, for measuring speed at 1k to 100k quotes.

Never for the real archive's database: `seed_synthetic` refuses a database that holds any
archive row it did not make itself. Everything it makes is named "Synthetic …", every
document's provenance says so (PROVENANCE), and a marker topic (MARKER_SLUG) tells a
synthetic database from a real one. The fourteen real topics are copied, being categories
only; no real quote, document or person is copied.

Shape (from the real archive: 240 quotes, 44 authors, 5 documents, 15 claims, 138 stances):

- documents of 24–36 kB of text, about 50 quotes each (N/50 documents);
- about N/6 authors: each document has its own speakers (its writer and the people it
  quotes), plus a few famous speakers drawn with Zipf popularity from all authors, so that a
  few speakers are very frequent;
- quote lengths drawn from the real quotes' length distribution (25–713 characters, median
  about 315), each a real, non-overlapping substring of its document, with offsets, prefix
  and suffix exactly as `verify_quotes` would store them;
- 1–3 topics per quote (Zipf popularity), the real 14 plus one more per 5,000 quotes;
- N/20 claims; about 0.55 stances per quote (half the quotes take none), claims drawn with
  Zipf popularity, positions supports/opposes/qualifies about 53/25/22 %.

The text is made of real English words, drawn with their frequencies from the fixture
documents' vocabulary, in random order: it reads as nonsense, which is the point.

Generation is deterministic: the same --seed and the same sequence of runs give the same rows.
"""

import bisect
import datetime
import itertools
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import yaml
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings

from archive import caching
from archive.models import Author, Claim, DatePrecision, Document, Quote, Stance, Topic
from archive.verification import CONTEXT_CHARS

MARKER_SLUG = "synthetic-corpus"
MARKER_NAME = "Synthetic corpus (made by seed_synthetic; not real quotes)"
PROVENANCE = "Synthetic text made by manage.py seed_synthetic; not a real document."
SLUG_PREFIX = "synthetic-"
BATCH = 5000  # rows per bulk_create, and quotes per progress line

QUOTES_PER_DOCUMENT = 50
QUOTES_PER_AUTHOR = 6
QUOTES_PER_CLAIM = 20
QUOTES_PER_EXTRA_TOPIC = 5000

# Lengths of the real quotes at the 0, 10, 25, 50, 75, 90, 99 and 100th percentiles.
LENGTH_PERCENTILES = [(0.0, 25), (0.1, 128), (0.25, 203), (0.5, 315), (0.75, 399),
                      (0.9, 492), (0.99, 639), (1.0, 713)]  # fmt: skip
TOPICS_PER_QUOTE = ([1, 2, 3], [54, 144, 42])
STANCES_PER_QUOTE = ([0, 1, 2, 3], [50, 43, 6.5, 0.5])
POSITIONS = (["supports", "opposes", "qualifies"], [53, 25, 22])
ATTRIBUTIONS = (["verified", "as-quoted"], [72, 28])
SAID_PRECISIONS = (["day", "month", "year", "", "range"], [29, 22, 22, 22, 5])
DOCUMENT_KINDS = (
    ["article", "forum-thread", "interview", "paper", "speech", "letter", "book"],
    [35, 25, 12, 15, 5, 4, 4],
)
SURNAME_SYLLABLES = ["ka", "lo", "vin", "mar", "pe", "tro", "sha", "bel", "do", "ri", "zen",
                     "gor", "mi", "nov", "ta", "lev", "so", "kur", "an", "ul"]  # fmt: skip
CREATED_BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


class RealArchiveData(Exception):
    """The database holds archive rows that seed_synthetic did not make."""


def is_synthetic_database():
    return Topic.objects.filter(slug=MARKER_SLUG).exists()


def real_rows():
    """{what: count} of archive rows that are not synthetic; empty if there are none."""
    if is_synthetic_database():
        found = {
            "documents": Document.objects.exclude(provenance=PROVENANCE).count(),
            "authors": Author.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
            "claims": Claim.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
        }
    else:
        found = {
            model._meta.verbose_name_plural: model.objects.count()
            for model in (Topic, Claim, Author, Document, Quote, Stance)
        }
    return {name: count for name, count in found.items() if count}


def check_database():
    found = real_rows()
    if found:
        summary = ", ".join(f"{count} {name}" for name, count in found.items())
        raise RealArchiveData(
            f"This database holds real archive data ({summary}); the synthetic corpus goes "
            "only into an empty database or one that seed_synthetic made. Point DATABASE_URL "
            "at a database of its own."
        )


def targets(quotes):
    """How many rows of each kind a corpus of `quotes` quotes has."""
    return {
        "documents": max(1, round(quotes / QUOTES_PER_DOCUMENT)),
        "authors": max(2, round(quotes / QUOTES_PER_AUTHOR)),
        "claims": max(1, round(quotes / QUOTES_PER_CLAIM)),
        "extra_topics": quotes // QUOTES_PER_EXTRA_TOPIC,
    }


# Words ------------------------------------------------------------------------------------------


def vocabulary():
    """(words, cumulative weights): the fixture documents' words, with their frequencies."""
    counts = Counter()
    for path in sorted(settings.ARCHIVE_FIXTURES.glob("*.yaml")):
        rows = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
        for row in rows or []:
            if row.get("model") == "archive.document":
                words = re.findall(r"[A-Za-z]+", row["fields"].get("text", ""))
                counts.update(w.lower() for w in words if len(w) > 1 or w in "aA")
    if not counts:
        raise RuntimeError("No fixture documents to take words from.")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    words = [word for word, _ in ranked]
    return words, list(itertools.accumulate(count for _, count in ranked))


def zipf_weights(n, exponent=1.0):
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def pick(rng, cum_weights, offset=0):
    """An index drawn with the given cumulative weights."""
    return offset + bisect.bisect_right(cum_weights, rng.random() * cum_weights[-1])


@dataclass
class Paragraph:
    start: int  # offset in the document text
    breaks: int  # paragraph breaks ("\n\n") before it: the text normalizes each to one space
    words: list = field(default_factory=list)  # (start, end) of each word, in the paragraph
    sentence_starts: set = field(default_factory=set)  # indexes into words
    cursor: int = 0  # first word still free for a quote


class Writer:
    def __init__(self, rng, words, cum_weights):
        self.rng, self.words, self.cum = rng, words, cum_weights

    def sentence(self, low=6, high=28):
        n = self.rng.randint(low, high)
        chosen = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        chosen[0] = chosen[0].capitalize()
        for i in range(1, n - 1):
            if self.rng.random() < 0.07:
                chosen[i] += ","
        return " ".join(chosen) + self.rng.choice("....?")

    def title(self, n=5):
        return " ".join(self.rng.choices(self.words, cum_weights=self.cum, k=n)).capitalize()

    def document(self, size):
        """(text, paragraphs): paragraphs of 2–12 sentences until the text reaches `size`."""
        parts, paragraphs, position = [], [], 0
        while position < size:
            paragraph = Paragraph(start=position, breaks=len(paragraphs))
            sentences = [self.sentence() for _ in range(self.rng.randint(2, 12))]
            text = " ".join(sentences)
            offset = 0
            for sentence in sentences:
                for i, word in enumerate(sentence.split(" ")):
                    if i == 0:
                        paragraph.sentence_starts.add(len(paragraph.words))
                    paragraph.words.append((offset, offset + len(word)))
                    offset += len(word) + 1
            parts.append(text)
            paragraphs.append(paragraph)
            position += len(text) + 2
        return "\n\n".join(parts), paragraphs


def quote_length(rng):
    """A length drawn from the real quotes' length distribution."""
    u = rng.random()
    for (p0, l0), (p1, l1) in itertools.pairwise(LENGTH_PERCENTILES):
        if u <= p1:
            return round(l0 + (l1 - l0) * (u - p0) / (p1 - p0))
    return LENGTH_PERCENTILES[-1][1]


def cut_quotes(rng, text, paragraphs, count):
    """Up to `count` non-overlapping (start, end) spans of whole words, each found first where
    it stands, as verify_quotes looks for it (paragraph breaks normalize to one space)."""
    haystack = text.replace("\n\n", " ")
    spans = []
    attempts = 0
    while len(spans) < count and attempts < count * 20:
        attempts += 1
        want = quote_length(rng)
        free = [p for p in paragraphs if p.cursor < len(p.words)]
        if not free:
            break
        roomy = [p for p in free if p.words[-1][1] - p.words[p.cursor][0] >= want] or free
        paragraph = rng.choice(roomy)
        first = paragraph.cursor + rng.randint(0, 3)
        later = sorted(s for s in paragraph.sentence_starts if s >= paragraph.cursor)
        if later and rng.random() < 0.7:
            first = rng.choice(later[:4])
        if first >= len(paragraph.words):
            continue
        last = first
        begin = paragraph.words[first][0]
        while last + 1 < len(paragraph.words) and paragraph.words[last][1] - begin < want:
            last += 1
        start = paragraph.start + begin
        end = paragraph.start + paragraph.words[last][1]
        if end - start < 12:
            continue
        if haystack.find(text[start:end]) != start - paragraph.breaks:
            continue  # the same words stand earlier: verification would find those
        spans.append((start, end))
        paragraph.cursor = last + 1
    return spans


# Seeding ----------------------------------------------------------------------------------------


def real_topics():
    path = settings.ARCHIVE_FIXTURES / "00_topics.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Topic(
            slug=row["fields"]["slug"],
            name=row["fields"]["name"],
            description=row["fields"].get("description", ""),
            start_year=row["fields"].get("start_year"),
            end_year=row["fields"].get("end_year"),
        )
        for row in rows
        if row["model"] == "archive.topic"
    ]


def said_dates(rng, latest_year):
    precision = rng.choices(*SAID_PRECISIONS)[0]
    if not precision:
        return None, None, ""
    if rng.random() < 0.5:
        year = rng.randint(1917, 1953)
    else:
        year = rng.randint(1848, 1991)
    year = min(year, latest_year)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if precision == DatePrecision.DAY:
        start = end = datetime.date(year, month, day)
    elif precision == DatePrecision.MONTH:
        start = datetime.date(year, month, 1)
        following = datetime.date(year + (month == 12), month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
    elif precision == DatePrecision.YEAR:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    else:
        start = datetime.date(year, month, day)
        end = start + datetime.timedelta(days=rng.randint(2, 400))
    return start, end, precision


class Seeder:
    def __init__(self, seed, out=None, batch=BATCH):
        self.seed, self.out, self.batch = seed, out, batch
        self.words, self.cum = vocabulary()

    def say(self, line):
        if self.out is not None:
            self.out.write(line)
            if hasattr(self.out, "flush"):
                self.out.flush()

    def grow(self, quotes):
        """Add synthetic rows until the database holds `quotes` synthetic quotes."""
        check_database()
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            added = self._grow(quotes)
        # Rows were written in bulk, without signals: cached pages and counts are now stale.
        caching.archive_changed()
        return added

    def _grow(self, total):
        existing = Quote.objects.count()
        if existing >= total:
            self.say(f"The synthetic corpus already holds {existing} quotes; nothing to add.")
            return 0
        rng = random.Random(f"{self.seed}:{existing}:{total}")
        writer = Writer(rng, self.words, self.cum)
        want = targets(total)
        started = time.perf_counter()

        with transaction.atomic():
            topics = self._topics(want["extra_topics"], writer)
            claims = self._claims(rng, writer, want["claims"], topics)
            new_authors = self._authors(rng, want["authors"])
        authors = list(Author.objects.order_by("id").values_list("id", flat=True))
        author_zipf = zipf_weights(len(authors))
        topic_zipf = zipf_weights(len(topics), exponent=0.7)
        claim_zipf = zipf_weights(len(claims), exponent=0.6)

        new_documents = max(1, want["documents"] - Document.objects.count())
        to_add = total - existing
        shares = [rng.uniform(0.6, 1.4) for _ in range(new_documents)]
        per_document = [int(to_add * s / sum(shares)) for s in shares]
        for i in range(to_add - sum(per_document)):
            per_document[i % new_documents] += 1
        own_counts = [0] * new_documents
        for i in range(len(new_authors)):
            own_counts[i % new_documents] += 1
        rng.shuffle(own_counts)
        own_pool = iter(new_authors)
        number = Document.objects.count()

        pending, added = [], 0
        for index, quote_count in enumerate(per_document):
            number += 1
            own = list(itertools.islice(own_pool, own_counts[index]))
            if not own:
                own = [authors[pick(rng, author_zipf)]]
            famous = {authors[pick(rng, author_zipf)] for _ in range(rng.randint(1, 6))}
            famous -= set(own)
            pending.append(self._document(rng, writer, number, quote_count, own, sorted(famous)))
            if sum(len(p[3]) for p in pending) >= self.batch or index == new_documents - 1:
                added += self._save(rng, pending, topics, topic_zipf, claims, claim_zipf)
                pending = []
                rate = added / max(time.perf_counter() - started, 1e-9)
                self.say(
                    f"  {existing + added}/{total} quotes ({added} added, {rate:,.0f} quotes/s)"
                )
        if connection.vendor == "postgresql":
            # Statistics for the planner and, outside a transaction, the visibility map that
            # lets index-only scans skip the table: the state autovacuum keeps a live
            # database in, which bulk-written rows reach only when it next comes round.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        return added

    def _topics(self, extra, writer):
        if not Topic.objects.filter(slug=MARKER_SLUG).exists():
            Topic.objects.create(
                slug=MARKER_SLUG,
                name=MARKER_NAME,
                description="Marks a database filled by manage.py seed_synthetic.",
            )
            Topic.objects.bulk_create(real_topics())
        have = Topic.objects.filter(slug__startswith=SLUG_PREFIX + "topic-").count()
        Topic.objects.bulk_create(
            Topic(
                slug=f"{SLUG_PREFIX}topic-{n}",
                name=f"Synthetic topic {n}: {writer.title(3)}",
                description="A synthetic topic.",
            )
            for n in range(have + 1, extra + 1)
        )
        return list(
            Topic.objects.exclude(slug=MARKER_SLUG).order_by("id").values_list("id", flat=True)
        )

    def _claims(self, rng, writer, want, topics):
        have = Claim.objects.count()
        new = Claim.objects.bulk_create(
            Claim(
                slug=f"{SLUG_PREFIX}claim-{n}",
                text=f"Synthetic claim {n}: {writer.sentence(6, 14)}",
                summary=writer.sentence(),
            )
            for n in range(have + 1, want + 1)
        )
        through = Claim.topics.through
        through.objects.bulk_create(
            through(claim_id=claim.pk, topic_id=topic)
            for claim in new
            for topic in rng.sample(topics[:14], rng.randint(1, 3))
        )
        return list(Claim.objects.order_by("id").values_list("id", flat=True))

    def _authors(self, rng, want):
        have = Author.objects.count()
        rows = []
        for n in range(have + 1, want + 1):
            surname = "".join(rng.choices(SURNAME_SYLLABLES, k=rng.randint(2, 3))).capitalize()
            pseudonym = rng.random() < 0.36
            rows.append(
                Author(
                    slug=f"{SLUG_PREFIX}{surname.lower()}-{n}",
                    name=f"Synthetic {surname} {n}",
                    sort_name=f"{surname} {n}, Synthetic",
                    kind="pseudonym" if pseudonym else "person",
                    other_names=[f"{surname}y {n}"] if rng.random() < 0.3 else [],
                    description="A synthetic speaker.",
                )
            )
        created = Author.objects.bulk_create(rows, batch_size=self.batch)
        return [author.pk for author in created]

    def _document(self, rng, writer, number, quote_count, own, famous):
        size = rng.randint(24_000, 36_000)
        text, paragraphs = writer.document(size)
        spans = cut_quotes(rng, text, paragraphs, quote_count)
        while len(spans) < quote_count:  # a long document for many quotes: add paragraphs
            more, extra = writer.document(max(3000, (quote_count - len(spans)) * 600))
            shift = len(text) + 2
            for paragraph in extra:
                paragraph.start += shift
                paragraph.breaks += len(paragraphs)
            text += "\n\n" + more
            paragraphs += extra
            spans += cut_quotes(rng, text, extra, quote_count - len(spans))
        year = rng.randint(1985, 2020)
        document = Document(
            slug=f"{SLUG_PREFIX}document-{number}",
            title=f"Synthetic document {number}: {writer.title()}",
            kind=rng.choices(*DOCUMENT_KINDS)[0],
            publication="Synthetic Review",
            published_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            published_precision=DatePrecision.DAY,
            text=text,
            provenance=PROVENANCE,
        )
        pool = own + famous
        weights = [6] + [1] * (len(own) - 1) + [2] * len(famous)
        quotes = []
        for start, end in spans:
            said_start, said_end, precision = said_dates(rng, year)
            quotes.append(
                Quote(
                    text=text[start:end],
                    speaker_id=rng.choices(pool, weights=weights)[0],
                    start_offset=start,
                    end_offset=end,
                    prefix=text[max(0, start - CONTEXT_CHARS) : start],
                    suffix=text[end : end + CONTEXT_CHARS],
                    said_start=said_start,
                    said_end=said_end,
                    said_precision=precision,
                    original_source=(
                        f"Synthetic source {rng.randint(1, 9999)}, p. {rng.randint(1, 600)}"
                        if rng.random() < 0.35
                        else ""
                    ),
                    via="quoted in a synthetic source" if rng.random() < 0.05 else "",
                    attribution=rng.choices(*ATTRIBUTIONS)[0],
                    status=Quote.Status.PUBLISHED,
                )
            )
        return document, own[:1], famous, quotes

    def _save(self, rng, pending, topics, topic_zipf, claims, claim_zipf):
        quote_topics = Quote.topics.through
        document_authors = Document.authors.through
        with transaction.atomic():
            documents = Document.objects.bulk_create([p[0] for p in pending])
            document_authors.objects.bulk_create(
                document_authors(document_id=document.pk, author_id=author)
                for document, (_, writers, _, _) in zip(documents, pending, strict=True)
                for author in writers
            )
            quotes = []
            base = Quote.objects.count()
            for document, (_, _, _, rows) in zip(documents, pending, strict=True):
                for quote in rows:
                    quote.document_id = document.pk
                    quote.created_at = quote.updated_at = CREATED_BASE + datetime.timedelta(
                        minutes=base + len(quotes)
                    )
                    quotes.append(quote)
            quotes = Quote.objects.bulk_create(quotes, batch_size=self.batch)
            tags, stances = [], []
            for quote in quotes:
                chosen = set()
                wanted = min(len(topics), rng.choices(*TOPICS_PER_QUOTE)[0])
                while len(chosen) < wanted:
                    chosen.add(topics[pick(rng, topic_zipf)])
                tags += [quote_topics(quote_id=quote.pk, topic_id=topic) for topic in chosen]
                taken = set()
                wanted = min(len(claims), rng.choices(*STANCES_PER_QUOTE)[0])
                while len(taken) < wanted:
                    taken.add(claims[pick(rng, claim_zipf)])
                stances += [
                    Stance(quote_id=quote.pk, claim_id=claim, position=rng.choices(*POSITIONS)[0])
                    for claim in sorted(taken)
                ]
            quote_topics.objects.bulk_create(tags, batch_size=self.batch)
            Stance.objects.bulk_create(stances, batch_size=self.batch)
        return len(quotes)
