"""Word-based quote search: every word must match the quote's text or its speaker's names.

What a reader types is read the way web search engines read it: words, "a quoted phrase"
(its words next to each other, in order) and -word or -"a phrase" (must not match). A bare
OR is ignored, so every word must still match. Case does not matter, and a word matches any
word it begins: "wage" finds "wages", "Stalin" finds "Stalinist". Other spellings of a name
come from the author's other_names ("Shmelyev" for Shmelev, "Bohm" for Böhm).

The same rules run on both databases:

- PostgreSQL: a stored tsvector (archive_quote.search_vector, migration 0002) holds the quote's
  words (weight A) and the speaker's name and other names (weight D) in the 'simple'
  configuration: no stemming and no stop words, so names stay as they are and every word typed
  counts. Prefix matching ('wage':*) stands in for stemming. A GIN index answers the filter.
- SQLite: each word is a case-insensitive regular expression that matches at the start of a
  word, tried on the text, the speaker's name and their other names (read with json_each).

Rank (higher first): one point for each searched word or phrase found in the quote's own
text, one more when all the words stand together in the text as typed; on PostgreSQL,
ts_rank (scaled below 1) breaks ties.
"""

import functools
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    FloatField,
    Func,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive.models import Quote, QuoteColumn

MAX_QUERY_LENGTH = 500  # characters of the typed text that are read
MAX_TERMS = 12  # words or phrases; the rest are ignored
MAX_WORD_LENGTH = 60  # longer words are cut (they still match as a word's beginning)
SHORT_TEXT = 400  # quotes shorter than this are shown whole
SNIPPET_WORDS = 40  # about how many words a snippet of a longer quote shows
CONFIG = "simple"

# Private-use characters mark matches until the text is escaped; they are removed from the
# quote text first, so that they cannot come from it.
MARK_START = "\ue000"
MARK_END = "\ue001"
FRAGMENT_DELIMITER = " … "

WORD = re.compile(r"[^\W_]+")  # letters and digits, as PostgreSQL's parser splits words
TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
NOT_AFTER_WORD_CHARACTER = r"(?<![^\W_])"
REST_OF_WORD = r"[^\W_]*"
BETWEEN_WORDS = r"[\W_]+"


@dataclass(frozen=True)
class Term:
    """One word or phrase of a search; excluded terms must not match."""

    words: tuple[str, ...]
    excluded: bool = False

    def __str__(self):
        shown = " ".join(self.words)
        if len(self.words) > 1:
            shown = f'"{shown}"'
        return f"-{shown}" if self.excluded else shown


def parse(text):
    """The terms of a typed search, at most MAX_TERMS, without repeats."""
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_LENGTH]
    terms = []
    for match in TOKEN.finditer(text):
        phrase_minus, phrase, word_minus, word = match.groups()
        if word == "OR":
            continue
        source = phrase if phrase is not None else word
        words = tuple(w.lower()[:MAX_WORD_LENGTH] for w in WORD.findall(source))
        term = Term(words, excluded=bool(phrase_minus or word_minus))
        if words and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def search_terms(text):
    """The words and phrases a search for `text` used, as shown to readers: 'stalin',
    '"wage scales"', '-lenin'."""
    return [str(term) for term in parse(text)]


def search_quotes(queryset, text):
    """`queryset` narrowed to quotes that every searched word matches, annotated with `rank`.

    Blank text (nothing but spaces) leaves the queryset as it is, without `rank`; other text
    without a word to search for finds nothing.
    """
    if not (text or "").strip():
        return queryset
    terms = parse(text)
    if not any(not term.excluded for term in terms):
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, terms)
    return _search_by_pattern(queryset, terms)


def add_headlines(quotes, text):
    """Set `quote.headline` on each quote: its text, HTML-escaped, with matches in <mark>.

    Quotes shorter than SHORT_TEXT are shown whole, longer ones as a snippet around the
    matches. Meant for the quotes on one page: at most one database query, none if they were
    read `with_marked_text`.
    """
    quotes = list(quotes)
    words = _positive_words(parse(text))
    if all(hasattr(quote, "marked_text") for quote in quotes):
        marked = {quote.pk: quote.marked_text for quote in quotes}
    elif quotes and words and connection.vendor == "postgresql":
        read = Quote.objects.filter(pk__in=[quote.pk for quote in quotes])
        marked = dict(with_marked_text(read, text).values_list("pk", "marked_text"))
    else:
        marked = {quote.pk: _marked_text(quote.text, words) for quote in quotes}
    for quote in quotes:
        quote.headline = _headline_html(quote.text, marked.get(quote.pk, quote.text))
    return quotes


def with_marked_text(queryset, text):
    """On PostgreSQL, `queryset` with each quote's text marked by ts_headline for the words of
    `text` (`marked_text`), read with the quotes instead of by a query of its own; for the
    quotes of one page (the database marks every row it returns). Elsewhere, or with no word
    to mark, the queryset as it is."""
    column = marked_text_column(text)
    if column is None:
        return queryset
    return queryset.annotate(marked_text=RawSQL(*column))


def marked_text_column(text):
    """(sql, params) of an archive_quote row's text marked by ts_headline for the words of
    `text` (`with_marked_text`'s column, for archive/cards.py); None where it does not mark."""
    words = _positive_words(parse(text))
    if not words or connection.vendor != "postgresql":
        return None
    return _marked_text_sql(connection, words)


# Shared helpers


def _positive_words(terms):
    """Every word of the terms that must match, in the order typed, without repeats."""
    words = []
    for term in terms:
        if not term.excluded:
            words.extend(w for w in term.words if w not in words)
    return words


def _all_words_phrase(terms):
    """All words that must match, in the order typed, as one phrase; None for a single word."""
    words = [w for term in terms if not term.excluded for w in term.words]
    return Term(tuple(words)) if len(words) > 1 else None


def _without_marks(text):
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _headline_html(text, marked):
    """Escaped `marked` text with <mark> tags, and … where a snippet leaves text out."""
    plain = _without_marks(marked).strip()
    whole = _without_marks(text).strip()
    html = escape(marked.strip()).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    if plain and not whole.startswith(plain[:30]):
        html = "… " + html
    if plain and not whole.endswith(plain[-30:]):
        html = html + " …"
    return mark_safe(html)


# SQLite (and any database without PostgreSQL's full-text search): regular expressions


def _word_pattern(words):
    """A regular expression for the words one after another, each matching a word's start."""
    return NOT_AFTER_WORD_CHARACTER + (REST_OF_WORD + BETWEEN_WORDS).join(map(re.escape, words))


class OtherNamesText(Func):
    """On SQLite: an author's other names as plain text, separated by spaces.

    The JSON column itself holds escapes ("B\\u00f6hm"), which a pattern could not match.
    """

    template = "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(%(expressions)s))"
    output_field = TextField()


def _matches_term(term):
    pattern = _word_pattern(term.words)
    return (
        Q(text__iregex=pattern)
        | Q(speaker__name__iregex=pattern)
        | Q(speaker_other_names__iregex=pattern)
    )


def _in_text_points(term):
    return Case(
        When(text__iregex=_word_pattern(term.words), then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _search_by_pattern(queryset, terms):
    queryset = queryset.alias(speaker_other_names=OtherNamesText("speaker__other_names"))
    rank = Value(0.0, output_field=FloatField())
    for term in terms:
        if term.excluded:
            queryset = queryset.exclude(_matches_term(term))
        else:
            queryset = queryset.filter(_matches_term(term))
            rank = rank + _in_text_points(term)
    phrase = _all_words_phrase(terms)
    if phrase:
        rank = rank + _in_text_points(phrase)
    return queryset.annotate(rank=rank)


def _marked_text(text, words):
    """The quote text (a snippet if long) with matches between MARK_START and MARK_END."""
    text = _without_marks(text)
    if words:
        pattern = re.compile(
            NOT_AFTER_WORD_CHARACTER + "(?:" + "|".join(map(re.escape, words)) + ")" + REST_OF_WORD,
            re.IGNORECASE,
        )
    else:
        pattern = None
    if len(text) >= SHORT_TEXT:
        text = _snippet(text, pattern)
    if pattern is None:
        return text
    return pattern.sub(lambda match: MARK_START + match.group() + MARK_END, text)


def _snippet(text, pattern):
    """About SNIPPET_WORDS words of `text`, chosen to hold as many matches as can be had."""
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    hits = [i for i, span in enumerate(spans) if pattern and pattern.search(text, *span)]
    first = 0
    if hits:
        starts = [max(0, hit - 5) for hit in hits]
        first = max(starts, key=lambda s: sum(s <= h < s + SNIPPET_WORDS for h in hits))
    last = min(len(spans), first + SNIPPET_WORDS) - 1
    return text[spans[first][0] : spans[last][1]]


# PostgreSQL: full-text search on the stored, indexed search_vector column


class TextSearchSQL(Expression):
    """An expression on the quote's search_vector written as SQL with parameters: `template`
    with {vector} where the column goes (on the query's own table alias, as QuoteColumn
    resolves it). The search's rank and match as ORM expressions (SearchRank, Case, When,
    SearchQuery: some fifteen nodes) took Django ~1.5 ms to build and compile on every
    search page; one node takes a tenth of that, for the same SQL."""

    def __init__(self, template, params, output_field):
        super().__init__(output_field=output_field)
        self.template = template
        self.params = tuple(params)
        self.vector = QuoteColumn("search_vector")

    def get_source_expressions(self):
        return [self.vector]

    def set_source_expressions(self, expressions):
        (self.vector,) = expressions

    def as_sql(self, compiler, connection):
        vector, _ = compiler.compile(self.vector)  # a column: no parameters
        return self.template.format(vector=vector), self.params


def _tsquery_term(term, weight=""):
    """A tsquery for one term: 'word':* for a word, ('a':* <-> 'b':*) for a phrase."""
    query = " <-> ".join(f"'{word}':*{weight}" for word in term.words)
    if len(term.words) > 1:
        query = f"({query})"
    return f"!{query}" if term.excluded else query


TSQUERY = "to_tsquery(%s::regconfig, %s)"


def _search_postgresql(queryset, terms):
    """Every term must match (the GIN index answers `vector @@ query`). Rank: ts_rank of any
    positive word, normalisation 32 (rank / (rank + 1): below 1, a tie-breaker), plus a point
    for each positive term, and for all the words as one phrase, found in the quote's own
    text (weight A)."""
    match = " & ".join(_tsquery_term(term) for term in terms)
    any_word = " | ".join(f"'{word}':*" for word in _positive_words(terms))
    in_text = [_tsquery_term(term, "A") for term in terms if not term.excluded]
    phrase = _all_words_phrase(terms)
    if phrase:
        in_text.append(_tsquery_term(phrase, "A"))
    rank, params = f"ts_rank({{vector}}, {TSQUERY}, 32)", [CONFIG, any_word]
    for query in in_text:
        rank = f"({rank} + CASE WHEN {{vector}} @@ ({TSQUERY}) THEN 1.0 ELSE 0.0 END)"
        params += [CONFIG, query]
    queryset = queryset.filter(
        TextSearchSQL(f"{{vector}} @@ ({TSQUERY})", [CONFIG, match], BooleanField())
    )
    return queryset.annotate(rank=TextSearchSQL(rank, params, FloatField()))


@functools.cache
def _headline_options(**options):
    """ts_headline's options text, quoted as Django's SearchHeadline quotes them (the same on
    every connection: worked out once)."""
    return ", ".join(
        connection.ops.compose_sql(f"{name}=%s", [value]) for name, value in options.items()
    )


def _marked_text_sql(connection, words):
    """(sql, params) of an archive_quote row's text marked by ts_headline for `words`: whole
    if shorter than SHORT_TEXT, else a snippet. Written as SQL with parameters: built from ORM
    expressions, it took longer for Django to compile than for PostgreSQL to run."""
    marks = {"StartSel": MARK_START, "StopSel": MARK_END}
    whole = _headline_options(**marks, HighlightAll=True)
    snippet = _headline_options(
        **marks,
        MaxWords=SNIPPET_WORDS // 2,
        MinWords=SNIPPET_WORDS // 4,
        ShortWord=0,
        MaxFragments=2,
        FragmentDelimiter=FRAGMENT_DELIMITER,
    )
    any_word = " | ".join(f"'{word}':*" for word in words)
    text = f"{connection.ops.quote_name(Quote._meta.db_table)}.{connection.ops.quote_name('text')}"
    headline = (
        f"ts_headline(%s::regconfig, translate({text}, %s, ''), to_tsquery(%s::regconfig, %s), %s)"
    )
    sql = f"CASE WHEN length({text}) < %s THEN {headline} ELSE {headline} END"
    unmarked = MARK_START + MARK_END
    params = [SHORT_TEXT]
    for options in (whole, snippet):
        params += [CONFIG, unmarked, CONFIG, any_word, options]
    return sql, params
