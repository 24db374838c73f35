"""Reading the quotes of a page of cards by id: `read_cards`.

An author page finds each topic's first quotes and a claim page each side's
(archive/author_counts.py, views.sides_shown); each then reads those quotes by id with what a
card shows (archive/templatetags/cards.py): the columns `Quote.objects.for_cards()` reads,
the speaker's and document's, and a search's marked text. A search page reads the same
columns (`card_columns`, `cards_from_rows`) in the statement that finds its page of quotes
(filters.FacetCounts.run). Through the ORM (`for_cards().in_bulk(ids)`) Django took ~1.5 ms
to compile that query and ~1 ms to build the rows on every page, more than PostgreSQL took to
run it. Here the columns are written once per database and the instances are built as Django
builds them (Model.from_db, the backend's converters, the related instances cached on the
quote); tests hold the result to the ORM's.
"""

import functools

from django.db import connections, router

from archive.models import CARD_FIELDS, Author, Document, Quote, ids_subquery

# The quote's relations a card shows, read beside it; the fields read are CARD_FIELDS'.
RELATED = {"speaker": Author, "document": Document}


def read_cards(ids, marked_text=None, using=None):
    """The published quotes with these ids, in the order of `ids` (an id no longer published
    is left out), each with its speaker and document, read as `Quote.objects.for_cards()`
    reads them. `marked_text`: (sql, params) of a column of archive_quote, set on each quote
    as `marked_text` (search.marked_text_column)."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return []
    using = using or router.db_for_read(Quote)
    connection = connections[using]
    selects, tables = card_columns(using, marked_text)
    selects = ", ".join(selects)
    listed, id_params = ids_subquery(connection.vendor, ids)
    qn = connection.ops.quote_name
    quote_table = qn(Quote._meta.db_table)
    # Published: what Quote.objects.published() (models.published_via) requires.
    sql = (
        f"SELECT {selects} FROM {tables} WHERE {quote_table}.{qn('status')} = %s "
        f"AND {quote_table}.{qn('start_offset')} IS NOT NULL "
        f"AND {quote_table}.{qn(Quote._meta.pk.column)} IN ({listed})"
    )
    extra_params = marked_text[1] if marked_text else ()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*extra_params, Quote.Status.PUBLISHED, *id_params])
        rows = cursor.fetchall()
    read = {quote.pk: quote for quote in cards_from_rows(rows, 0, using, marked_text)}
    return [read[pk] for pk in ids if pk in read]


def card_columns(using, marked_text=None):
    """([column], tables) of what a card shows: the columns of archive_quote and of the
    speaker's and document's tables joined to it, and `marked_text`'s column (its sql; its
    params are the caller's to pass, first). For a statement of its own (read_cards) or a
    part of another (the page of quotes a search finds, filters.FacetCounts.run)."""
    selects, tables = _columns(using)
    if marked_text is not None:
        selects = [*selects, marked_text[0]]
    return list(selects), tables


def cards_from_rows(rows, start, using, marked_text=None):
    """A quote for each row, from its columns of `card_columns` (from `start` on), with its
    speaker and document, as Django's query iterator builds them."""
    connection = connections[using]
    fields = _fields(Quote, "")
    quote_reader = _Reader(Quote, fields, start, connection)
    start, related = start + len(fields), []
    for name, model in RELATED.items():  # (the quote's field, the reader of its row's slice)
        fields = _fields(model, name)
        related.append((Quote._meta.get_field(name), _Reader(model, fields, start, connection)))
        start += len(fields)
    quotes = []
    for row in rows:
        quote = quote_reader(row, using, connection)
        for field, reader in related:
            field.set_cached_value(quote, reader(row, using, connection))
        if marked_text is not None:
            quote.marked_text = row[start]
        quotes.append(quote)
    return quotes


class _Reader:
    """Builds one model's instance from its slice of a row, as Django's query iterator does:
    the backend's converters for each column (dates on SQLite, say), then Model.from_db."""

    def __init__(self, model, fields, start, connection):
        self.model = model
        self.names = [field.attname for field in fields]
        self.slice = slice(start, start + len(fields))
        self.converters = []
        for i, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self.converters.append((i, found, column))

    def __call__(self, row, using, connection):
        values = list(row[self.slice])
        for i, converters, column in self.converters:
            for converter in converters:
                values[i] = converter(values[i], column, connection)
        return self.model.from_db(using, self.names, values)


@functools.cache
def _fields(model, name):
    """The fields read of `model` (the quote's, or those of its relation `name`), with the
    primary key and, for the quote, the keys of its relations, in the model's own order (the
    order Model.from_db expects)."""
    wanted = {model._meta.pk.attname, *CARD_FIELDS[name]}
    if model is Quote:
        wanted.update(Quote._meta.get_field(related).attname for related in RELATED)
    return tuple(field for field in model._meta.concrete_fields if field.attname in wanted)


@functools.cache
def _columns(using):
    """(columns, tables) of a card, written once per database."""
    connection = connections[using]
    qn = connection.ops.quote_name
    quote_table = qn(Quote._meta.db_table)
    selects = [f"{quote_table}.{qn(field.column)}" for field in _fields(Quote, "")]
    joins = []
    for name, model in RELATED.items():
        table = qn(model._meta.db_table)
        selects += [f"{table}.{qn(field.column)}" for field in _fields(model, name)]
        local = qn(Quote._meta.get_field(name).column)
        key = qn(model._meta.pk.column)
        joins.append(f"INNER JOIN {table} ON ({quote_table}.{local} = {table}.{key})")
    return tuple(selects), f"{quote_table} {' '.join(joins)}"
