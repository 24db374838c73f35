"""The quote list's parameters (../shared/CONTRACT.md, "Quote list parameters"), as one FilterSet.

Invalid or unknown values are not errors to the reader: django-filter leaves them out of
`cleaned_data`, so they filter nothing, and the page lists them from `ignored()`.
"""

from collections.abc import Sequence

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Value
from django.http import QueryDict

from archive import search
from archive.cards import card_columns, cards_from_rows
from archive.models import Author, Claim, Document, Quote, QuoteColumn, Stance, Topic

FACET_LIMIT = 12  # values shown per filter: the selected ones, then the most frequent
SORTS = {
    "relevance": "relevance",
    "said": "date said, earliest first",
    "-said": "date said, latest first",
    "speaker": "speaker",
}
ORDERINGS = {
    "said": [F("said_start").asc(nulls_last=True), "id"],
    "-said": [F("said_start").desc(nulls_last=True), "-id"],
    "speaker": ["speaker__sort_name", F("said_start").asc(nulls_last=True), "id"],
}


def blank(value):
    """Whether a cleaned value selects nothing (an unused multiple choice is an empty
    queryset, not an empty list)."""
    if isinstance(value, QuerySet):
        return value.query.is_empty()
    return value in (None, "", [])


class SharedFields(dict):
    """A form's fields, shared by every form of its class: Django deep-copies a form's fields
    for each form so that one may change them, and the filters' form changes none (cleaning
    a value reads its field; the page writes its own inputs, not the form's widgets)."""

    def __deepcopy__(self, memo):
        return dict(self)


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_words", label="Words", max_length=500)
    speaker = django_filters.ModelMultipleChoiceFilter(
        field_name="speaker__slug",
        to_field_name="slug",
        queryset=Author.objects.all(),
        distinct=False,  # a quote has one speaker: no duplicate rows to remove
    )
    document = django_filters.ModelChoiceFilter(
        field_name="document", to_field_name="slug", queryset=Document.objects.all()
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        method="filter_topics", to_field_name="slug", queryset=Topic.objects.all()
    )
    claim = django_filters.ModelChoiceFilter(
        method="filter_claim", to_field_name="slug", queryset=Claim.objects.all()
    )
    position = django_filters.ChoiceFilter(
        method="filter_position", choices=Stance.Position.choices
    )
    attribution = django_filters.ChoiceFilter(choices=Quote.Attribution.choices)
    said_from = YearFilter(method="filter_said_from", label="Said from (year)")
    said_to = YearFilter(method="filter_said_to", label="Said to (year)")
    kind = django_filters.ChoiceFilter(
        field_name="document__kind", choices=Document.Kind.choices, label="Kind of document"
    )
    sort = django_filters.ChoiceFilter(method="filter_nothing", choices=list(SORTS.items()))

    class Meta:
        model = Quote
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """As django-filter's, but the filters are the class's own, shared by every filter set
        rather than deep-copied for each (with their fields, widgets and querysets: ~0.7 ms of
        every list page): `filter_queryset` calls a filter's method on this filter set, so
        no filter needs to know which filter set it serves."""
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Quote.objects.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters

    def get_form_class(self):
        """The filters' form class, built once: its fields depend on no request (their
        querysets are fixed), and django-filter would otherwise build every field and a new
        class on each request. Its forms share the fields too (SharedFields)."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            for filter_ in self.filters.values():
                filter_.model = Quote  # what django-filter sets on each copy
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    # Filters ---------------------------------------------------------------------------------

    def filter_words(self, queryset, name, value):
        return search.search_quotes(queryset, value)

    def filter_topics(self, queryset, name, topics):
        if not topics:
            return queryset
        tagged = Quote.topics.through.objects.filter(quote=OuterRef("pk"), topic__in=topics)
        return queryset.filter(Exists(tagged))

    def filter_claim(self, queryset, name, claim):
        stances = Stance.objects.filter(quote=OuterRef("pk"), claim=claim)
        position = self.form.cleaned_data.get("position")
        if position:
            stances = stances.filter(position=position)
        return queryset.filter(Exists(stances))

    def filter_position(self, queryset, name, position):
        if self.form.cleaned_data.get("claim"):
            return queryset  # applied together with the claim
        return queryset.filter(
            Exists(Stance.objects.filter(quote=OuterRef("pk"), position=position))
        )

    def filter_said_from(self, queryset, name, year):
        return queryset.said_between(year, None)

    def filter_said_to(self, queryset, name, year):
        return queryset.said_between(None, year)

    def filter_nothing(self, queryset, name, value):
        return queryset

    # Applying them ----------------------------------------------------------------------------

    def filter_queryset(self, queryset, exclude=()):
        """Apply every valid filter but those named in `exclude` (for facet counts)."""
        for name, value in self.form.cleaned_data.items():
            if name in exclude or blank(value):
                continue
            if name == "position" and "claim" in exclude:
                continue
            filter_ = self.filters[name]
            if filter_.method:  # a method of this filter set (the filters are shared)
                queryset = getattr(self, filter_.method)(queryset, filter_.field_name, value)
            else:
                queryset = filter_.filter(queryset, value)
        return queryset

    def without(self, *names):
        self.is_valid()  # validates once; invalid values stay out of cleaned_data
        if not names:
            return self.qs  # built once (django-filter keeps it)
        return self.filter_queryset(self.queryset.all(), exclude=names)

    @property
    def words(self):
        return self.form.cleaned_data.get("q") or ""

    @property
    def chosen_sort(self):
        chosen = self.form.cleaned_data.get("sort")
        if chosen == "relevance" and not self.words:
            chosen = None
        return chosen or ("relevance" if self.words else "said")

    def ordered(self, queryset, rank=True):
        """The quotes in the chosen order; relevance falls back on date said if not `rank`."""
        if self.chosen_sort == "relevance" and rank:
            return queryset.order_by("-rank", F("said_start").asc(nulls_last=True), "id")
        return queryset.order_by(*ORDERINGS.get(self.chosen_sort, ORDERINGS["said"]))

    def ignored(self):
        """(parameter, what was wrong) for each value that was left out."""
        return [
            (name, " ".join(str(message) for message in messages))
            for name, messages in self.form.errors.items()
        ]

    def active(self):
        """(parameter, value, label) for each applied filter, to show and remove."""
        data = self.form.cleaned_data
        chips = []
        for name in ["q", "speaker", "topic", "document", "claim", "position", "attribution",
                     "kind", "said_from", "said_to"]:  # fmt: skip
            value = data.get(name)
            if blank(value):
                continue
            for item in value if isinstance(value, list) else [value]:
                raw = getattr(item, "slug", item)
                chips.append((name, str(raw), self.describe(name, item)))
        return chips

    def describe(self, name, item):
        labels = {
            "q": "words",
            "speaker": "speaker",
            "topic": "topic",
            "document": "found in",
            "claim": "claim",
            "position": "position",
            "attribution": "attribution",
            "kind": "kind",
            "said_from": "said from",
            "said_to": "said up to",
        }
        choices = {
            "position": dict(Stance.Position.choices),
            "attribution": dict(Quote.Attribution.choices),
            "kind": dict(Document.Kind.choices),
        }
        shown = choices.get(name, {}).get(item, item)
        return f"{labels[name]}: {shown}"

    # Facets -----------------------------------------------------------------------------------

    def has_filters(self):
        self.is_valid()
        return any(
            not blank(value) for name, value in self.form.cleaned_data.items() if name != "sort"
        )

    def chosen(self, name):
        """The selected values of one filter: model objects or plain values, as a list."""
        value = self.form.cleaned_data.get(name)
        if blank(value):
            return []
        return list(value) if isinstance(value, list) else [value]

    def found_columns(self):
        """The quotes the filters give, with what the facets count them by and what a sort by
        relevance orders them by: the search's rank, if the quotes are sorted by relevance, as
        found_rank."""
        found = self.without().order_by()
        if self.chosen_sort == "relevance":  # a search, so ranked (search.search_quotes)
            return found.annotate(found_rank=F("rank"))
        return found.annotate(found_rank=Value(None, output_field=FloatField()))

    def counts(self, limit, page=None):
        """(facets, total, found): each filter's values with the number of quotes they would
        give, other filters kept; the number of quotes the filters give; and the ids of those
        quotes (`found`) in the order of a sort by relevance (`ordered`: highest rank first,
        then earliest said, undated last, then id), so that a page of them can be read by id
        without finding them again. With `page` (a FoundPage), found is that page of them
        alone: the database numbers them all and returns only its ids, with the page's quotes
        read as cards (`page.cards`).

        With `limit`, no count reads more than limit + 1 quotes. One SQL statement finds the
        quotes, reading them once, and counts the facets whose filter is not in use among
        them. More than `limit` found, and the total is limit + 1 (more than `limit`), found
        is None and every facet is None (too many to count), since each facet counts a set
        that holds the results. Otherwise a second statement, if filters are in use, counts
        each of their facets in the quotes its own set gives (its filter left out), or gives
        None if that set has more than `limit` quotes. None for `limit` counts everything in
        one statement, and finds nothing (archive/tallies.py does, once per version of the
        archive).
        """
        self.is_valid()
        chosen = {name: list(self.chosen_labels(name)) for name in FACETS}
        in_use = [name for name in FACETS if self.chosen(name)]
        first = FacetCounts(limit)
        if limit is None:
            total_base = first.base(self.without())
            bases = {name: first.base(self.without(name)) for name in in_use}
        else:
            total_base = first.base(self.found_columns(), found=True)
            bases = {}
        bases.update({name: total_base for name in FACETS if name not in in_use})
        rows, sizes, found = first.run(bases, chosen, page)
        total = sizes[total_base]
        facets = dict.fromkeys(FACETS)
        if limit is not None and total > limit:
            return facets, total, None
        found = [pk for _, pk in found] if page is None else page.read(found, total)
        facets.update({name: self.ranked(name, rows[name]) for name in bases})
        if limit is None:
            return facets, total, None
        if in_use:
            second = FacetCounts(limit)
            wider = {name: second.base(self.without(name)) for name in in_use}
            rows, sizes, _ = second.run(wider, chosen)
            for name, base in wider.items():
                facets[name] = None if sizes[base] > limit else self.ranked(name, rows[name])
        return facets, total, found

    def chosen_labels(self, name):
        """{value: label} of the selected values of one filter."""
        return {
            facet_value(item): facet_label(
                name, getattr(item, FACET_LABEL_FIELDS.get(name, ""), item)
            )
            for item in self.chosen(name)
        }

    def ranked(self, name, rows):
        """The FACET_LIMIT values to show: selected ones first, then the most frequent."""
        chosen = self.chosen_labels(name)
        values = [
            {"value": value, "label": facet_label(name, label), "count": n, "sort": sort}
            for value, label, sort, n in rows
        ]
        present = {item["value"] for item in values}
        for value, label in chosen.items():
            if value not in present:  # selected, but no quote has it with the other filters
                values.append({"value": value, "label": label, "count": 0, "sort": label})
        for item in values:
            item["selected"] = item["value"] in chosen
        values.sort(
            key=lambda item: (
                not item["selected"],
                -item["count"],
                str(item["sort"]),
                str(item["value"]),
            )
        )
        return values[:FACET_LIMIT]

    def facets_beside(self, counted, archive_facets):
        """Facets for the page: counted ones as they are; for a filter with too many quotes to
        count, the archive's most frequent values, without counts, selected ones first."""
        shown = {}
        for name in FACETS:
            if counted[name] is not None:
                shown[name] = counted[name]
                continue
            chosen = self.chosen_labels(name)
            values = [
                {"value": value, "label": label, "count": None, "selected": True}
                for value, label in chosen.items()
            ]
            values += [
                {**item, "count": None, "selected": False}
                for item in archive_facets[name]
                if item["value"] not in chosen
            ]
            shown[name] = values[:FACET_LIMIT]
        return shown


FACETS = ["topic", "claim", "speaker", "kind", "document", "attribution"]
FACET_LABEL_FIELDS = {"topic": "name", "claim": "text", "speaker": "name", "document": "title"}


def facet_value(item):
    return getattr(item, "slug", item)


CHOICE_LABELS = {
    "kind": dict(Document.Kind.choices),
    "attribution": dict(Quote.Attribution.choices),
}


def facet_label(name, label):
    return CHOICE_LABELS.get(name, {}).get(label, label)


# How each facet counts a set of quotes ({base}) and names what it counts: (rows to count,
# the key to count them by, the table that names a key or None, that table's value, label
# and sort columns).
FACET_SQL = {
    "topic": ("{base} b JOIN {topics} t ON t.quote_id = b.id", "t.topic_id", "topic",
              ("slug", "name", "name")),
    "claim": ("{base} b JOIN {stance} s ON s.quote_id = b.id", "s.claim_id", "claim",
              ("slug", "text", "text")),
    "speaker": ("{base}", "speaker_id", "author", ("slug", "name", "sort_name")),
    "document": ("{base}", "document_id", "document", ("slug", "title", "title")),
    "kind": ("{base} b JOIN {document} d ON d.id = b.document_id", "d.kind", None, None),
    "attribution": ("{base}", "attribution", None, None),
}  # fmt: skip
# On PostgreSQL each quote's topics and claims are arrays on its row (migration 0008), read
# with the quotes: they are unnested, not looked up by key in their tables. unnest() in the
# select list (one ProjectSet node) takes less than a lateral join to it (a function scan
# started for each quote: ~2-3 ms more for 2,000 quotes, 100 alternating runs).
FACET_SQL_POSTGRESQL = {
    **FACET_SQL,
    "topic": ("(SELECT unnest(topic_ids) AS topic_id FROM {base}) t", *FACET_SQL["topic"][1:]),
    "claim": ("(SELECT unnest(claim_ids) AS claim_id FROM {base}) s", *FACET_SQL["claim"][1:]),
}


class FacetCounts:
    """Every facet's counts, the sizes of the quote sets they count and the quotes found, in
    one SQL statement.

    Each distinct set of quotes (the filters minus one) is a common table expression of at
    most `limit` + 1 rows; identical sets are written once. The set of the quotes found
    (`base(..., found=True)`) is read once, and its rows come back too; with more than
    `limit` of them, nothing is counted. Each facet counts its own set by key first, ranks
    the keys by count and reads names only for those it may return: the keys whose count is
    among the FACET_LIMIT highest (all of a tie, which names break, as `QuoteFilter.ranked`
    orders them) and the selected ones, whatever their counts. A page shows no more, and a
    search in thousands of quotes has thousands of speakers and documents. On PostgreSQL a
    set carries each quote's topic and claim ids (arrays kept on its row, migration 0008),
    so those two facets are counted without a lookup per quote.
    """

    COLUMNS = ["id", "speaker_id", "document_id", "attribution"]
    ARRAYS = ["topic_ids", "claim_ids"]  # on PostgreSQL
    FOUND_COLUMNS = ["said_start", "found_rank"]

    def __init__(self, limit):
        self.limit = limit
        self.using = router.db_for_read(Quote)
        self.postgresql = connections[self.using].vendor == "postgresql"  # with key arrays
        self.columns = self.COLUMNS + (self.ARRAYS if self.postgresql else [])
        self.facet_sql = FACET_SQL_POSTGRESQL if self.postgresql else FACET_SQL
        self.sets = {}  # (sql, repr(params)) -> (name of its common table expression, sql, params)
        self.found = None  # the name of the set of the quotes found

    def base(self, queryset, found=False):
        """The name of the set of `queryset`'s quotes; `found`: the quotes found, whose rows
        `run` returns (a queryset of QuoteFilter.found_columns)."""
        names = ["pk", *self.columns[1:], *(self.FOUND_COLUMNS if found else [])]
        if self.postgresql:
            queryset = queryset.annotate(**{name: QuoteColumn(name) for name in self.ARRAYS})
        columns = queryset.order_by().values(*names)
        if self.limit is not None:
            columns = columns[: self.limit + 1]
        try:
            sql, params = columns.query.get_compiler(using=self.using).as_sql()
        except EmptyResultSet:  # a filter that can match nothing (no ids, say)
            table = connections[self.using].ops.quote_name(Quote._meta.db_table)
            listed = ", ".join(self.columns + (["said_start", "NULL"] if found else []))
            sql, params = f"SELECT {listed} FROM {table} WHERE 1 = 0", ()
        key = (sql, repr(params))  # a list of ids is one parameter: repr makes it a key
        if key not in self.sets:
            self.sets[key] = (f"base_{len(self.sets)}", sql, params)
        if found:
            self.found = self.sets[key][0]
        return self.sets[key][0]

    def run(self, bases, chosen, page=None):
        """({facet: [(value, label, sort, count)]}, {set name: size}, [(number, id) of the
        quotes found, numbered from 1 in the order of a sort by relevance]); `chosen` gives
        each facet's selected values. With `page` (a FoundPage), only the quotes of that page
        are returned (the last page if it asks for one past the quotes found), and read as
        cards into `page.cards`, if no more than `limit` were found."""
        connection = connections[self.using]
        qn = connection.ops.quote_name
        tables = {
            "topics": qn(Quote.topics.through._meta.db_table),
            "topic": qn(Topic._meta.db_table),
            "stance": qn(Stance._meta.db_table),
            "claim": qn(Claim._meta.db_table),
            "author": qn(Author._meta.db_table),
            "document": qn(Document._meta.db_table),
        }
        ctes, params, selects, gate, gate_params, pad = [], [], [], "1 = 1", [], ""
        for name, sql, set_params in self.sets.values():  # the quotes found come first
            if name == self.found:
                columns = ", ".join(self.columns + self.FOUND_COLUMNS)
                ctes.append(f"{name} ({columns}) AS MATERIALIZED ({sql})")
                params += set_params
                if self.limit is not None:  # more found than `limit`: nothing is counted
                    ctes.append(f"found_size (n) AS (SELECT COUNT(*) FROM {name})")
                    gate, gate_params = "(SELECT n FROM found_size) <= %s", [self.limit]
                    # Read in place by each facet, not copied: ~0.5 ms less for 2,000 found.
                    ctes.append(
                        f"counted ({', '.join(self.columns)}) AS NOT MATERIALIZED (SELECT "
                        f"{', '.join(self.columns)} FROM {name} WHERE {gate})"
                    )
                    params += gate_params
                # Found rows first: their columns give the statement's types on PostgreSQL.
                # Numbered in the order of a sort by relevance (QuoteFilter.ordered).
                order = "found_rank DESC, said_start ASC NULLS LAST, id"
                if page is not None and gate_params:
                    # The page's rows only: the `size` after `offset`, or the last page's if
                    # there are no more than `offset` (n - 1 rounded down to whole pages; none
                    # found, 0: an OFFSET must not be negative).
                    # Sorted with a bound (LIMIT), the database keeps only the page's rows
                    # (numbering every quote found took ~1 ms more for 2,000 of them).
                    start = (
                        "(SELECT CASE WHEN %s < n THEN %s WHEN n = 0 THEN 0 "
                        "ELSE (n - 1) / %s * %s END FROM found_size)"
                    )
                    offset, size = page.offset, page.size
                    starts = [offset, offset, size, size]
                    # Each with what its card shows (archive/cards.py): no statement of its
                    # own to plan and send (~0.6 ms of a search with one match).
                    card_sql, joined = card_columns(self.using, page.marked_text)
                    pad = ", NULL" * len(card_sql)  # the other rows' card columns
                    key = f"{qn(Quote._meta.db_table)}.{qn(Quote._meta.pk.column)}"
                    numbered = (
                        f"SELECT 'found', NULL, NULL, NULL, numbered.place, numbered.id, "
                        f"{', '.join(card_sql)} FROM {joined} JOIN (SELECT {start} + ROW_NUMBER() "
                        f"OVER (ORDER BY {order}) AS place, id FROM (SELECT id, found_rank, "
                        f"said_start FROM {name} WHERE {gate} ORDER BY {order} LIMIT %s OFFSET "
                        f"{start}) page) numbered ON numbered.id = {key}"
                    )
                    marked_params = page.marked_text[1] if page.marked_text else []
                    gate_params = [*marked_params, *starts, *gate_params, size, *starts]
                else:
                    numbered = (
                        f"SELECT 'found', NULL, NULL, NULL, place, id FROM (SELECT id, "
                        f"ROW_NUMBER() OVER (ORDER BY {order}) AS place FROM {name} "
                        f"WHERE {gate}) numbered"
                    )
                selects.append(numbered)
                continue
            # Unbounded on PostgreSQL (the whole archive's counts, tallies.py), each facet
            # reads its own columns of the quotes in place, from an index that holds them,
            # without visiting the table: a copy of every quote, made first, took longer than
            # all the counting (~270 against ~530 ms at 100,000 quotes). SQLite reads the
            # table for each facet: a copy made once takes less there.
            in_place = self.limit is None and self.postgresql
            materialized = "NOT MATERIALIZED" if in_place else "MATERIALIZED"
            ctes.append(f"{name} ({', '.join(self.columns)}) AS {materialized} ({sql})")
            params += set_params
        params += gate_params  # of the found rows' select
        # Ties are broken by code point, as Python compares strings.
        binary = 'COLLATE "C"' if self.postgresql else "COLLATE BINARY"
        for name, base in bases.items():
            if base == self.found and gate_params:
                base = "counted"  # the quotes found, if few enough to count
            source, key, named, columns = self.facet_sql[name]
            grouped = f"SELECT {key} AS k, COUNT(*) AS n FROM {source} GROUP BY {key}"
            grouped = grouped.format(base=base, **tables)
            if not named:
                # A choice (kind, attribution): its few values all returned, for
                # QuoteFilter.ranked to order.
                selects.append(f"SELECT '{name}', k, k, k, n, NULL{pad} FROM ({grouped}) g")
                continue
            # Named after ranking by count: only the keys whose count is among the FACET_LIMIT
            # highest (all of a tie, which names break) and the selected ones.
            selected = list(chosen.get(name, []))
            listed = ", ".join(["%s"] * len(selected))
            value, label, sort = (f"x.{column}" for column in columns)
            table = tables[named]
            if self.postgresql and not selected:
                top = f"{grouped} ORDER BY n DESC FETCH FIRST {FACET_LIMIT:d} ROWS WITH TIES"
            else:
                top = (
                    f"SELECT k, n FROM (SELECT k, n, RANK() OVER (ORDER BY n DESC) AS by_count "
                    f"FROM ({grouped}) g) g WHERE by_count <= {FACET_LIMIT:d}"
                )
                if selected:
                    top += f" OR k IN (SELECT id FROM {table} WHERE {columns[0]} IN ({listed}))"
                    params += selected
            if self.postgresql:
                # Looked up by key, one row each: a plain join was planned as a hash join on
                # the whole table (~1 ms for 2,000 documents, to name a dozen).
                read = ", ".join(dict.fromkeys(columns))
                top = (
                    f"({top}) g CROSS JOIN LATERAL (SELECT {read} FROM {table} WHERE id = g.k "
                    f"LIMIT 1) x"
                )
            else:
                top = f"({top}) g JOIN {table} x ON x.id = g.k"
            # The FACET_LIMIT values QuoteFilter.ranked shows: selected ones first, then the
            # most frequent, ties broken by name.
            first = f"CASE WHEN {value} IN ({listed}) THEN 0 ELSE 1 END, " if selected else ""
            params += selected
            selects.append(
                f"SELECT ranked.*, NULL{pad} FROM (SELECT '{name}', {value}, {label}, {sort}, "
                f"g.n FROM {top} ORDER BY {first}g.n DESC, {sort} {binary}, {value} {binary} "
                f"LIMIT {FACET_LIMIT:d}) ranked"
            )
        selects += [
            f"SELECT 'size', '{name}', NULL, NULL, COUNT(*), NULL{pad} FROM {name}"
            for name, _, _ in self.sets.values()
        ]
        sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        rows = {name: [] for name in bases}
        sizes = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows_read = cursor.fetchall()
        found, card_rows = [], []
        for row in rows_read:
            facet, value, label, sort, n, pk = row[:6]
            if facet == "found":
                found.append((n, pk))
                card_rows.append(row)
            elif facet == "size":
                sizes[value] = n
            else:
                rows[facet].append((value, label, sort, n))
        found.sort()
        if pad:  # the page's quotes were read with it
            card_rows.sort(key=lambda row: row[4])
            page.cards = cards_from_rows(card_rows, 6, self.using, page.marked_text)
        return rows, sizes, found


class FoundPage(Sequence):
    """One page of the quotes a search found, asked for before their number is known: what
    `QuoteFilter.counts(page=...)` returns as found, for a paginator (views.paginate).

    `raw` is the page number as the request gives it, read as Paginator.get_page reads it:
    not a whole number, the first page; below 1 or past the last page, the last page. The
    statement that finds the quotes numbers them all and returns only that page's ids
    (FacetCounts.run), so a search with thousands of matches sends 25 ids, not thousands.
    The paginator, given their number (`count`), slices the page it resolves to: the same
    page; any other slice is an error, not a silent empty page.

    The same statement reads the page's quotes as cards (archive/cards.py): `cards`, in page
    order, each with `marked_text` if given (search.marked_text_column)."""

    FURTHEST = 2**31 - 1  # any start past the quotes found means the last page

    def __init__(self, raw, size, marked_text=None):
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 1
        self.size = size
        self.offset = min((number - 1) * size, self.FURTHEST) if number >= 1 else self.FURTHEST
        self.start, self.ids, self.total = None, [], 0
        self.marked_text = marked_text
        self.cards = []  # set by FacetCounts.run

    def read(self, numbered, total):
        """This page, from the (number, id) rows of the quotes found that the statement
        returned, out of `total`."""
        self.start = numbered[0][0] - 1 if numbered else 0
        self.ids = [pk for _, pk in numbered]
        self.total = total
        return self

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start == self.start:
            return self.ids
        raise IndexError(f"Only the quotes from {self.start} were read, not {index}.")
