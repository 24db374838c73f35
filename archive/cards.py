"""Reading the quotes of a page of cards by id: `read_cards`.

A search page finds its quotes' ids first (QuoteFilter.counts), an author page each topic's
first quotes and a claim page each side's (archive/author_counts.py, views.sides_shown);
each then reads those quotes with what a card shows (archive/templatetags/cards.py): the
columns `Quote.objects.for_cards()` reads, the speaker's and document's, and a search's
marked text. Through the ORM (`for_cards().in_bulk(ids)`) Django took ~1.5 ms to compile
that query and ~1 ms to build the rows on every page, more than PostgreSQL took to run it.
Here the statement is written once per database and the instances are built as Django builds
them (Model.from_db, the backend's converters, the related instances cached on the quote);
tests hold the result to the ORM's.
"""

import functools
import json

from django.db import connections, router

from archive.models import CARD_FIELDS, Author, Document, Quote

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
    sql = _statement(using, marked_text is not None)
    extra_sql, extra_params = marked_text or ("", ())
    key = ids if connection.vendor == "postgresql" else json.dumps(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(marked_text=extra_sql), [*extra_params, Quote.Status.PUBLISHED, key]
        )
        rows = cursor.fetchall()
    fields = _fields(Quote, "")
    quote_reader, start, related = _Reader(Quote, fields, 0, connection), len(fields), []
    for name, model in RELATED.items():  # (the quote's field, the reader of its row's slice)
        fields = _fields(model, name)
        related.append((Quote._meta.get_field(name), _Reader(model, fields, start, connection)))
        start += len(fields)
    read = {}
    for row in rows:
        quote = quote_reader(row, using, connection)
        for field, reader in related:
            field.set_cached_value(quote, reader(row, using, connection))
        if marked_text is not None:
            quote.marked_text = row[-1]
        read[quote.pk] = quote
    return [read[pk] for pk in ids if pk in read]


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
def _statement(using, marked):
    """The SQL, with {marked_text} left to fill in if `marked`, written once per database."""
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
    if marked:
        selects.append("{marked_text}")
    key = f"{quote_table}.{qn(Quote._meta.pk.column)}"
    if connection.vendor == "postgresql":
        among = f"{key} = ANY(%s::integer[])"
    else:
        among = f"{key} IN (SELECT value FROM json_each(%s))"
    # Published: what Quote.objects.published() (models.published_via) requires.
    return (
        f"SELECT {', '.join(selects)} FROM {quote_table} {' '.join(joins)} "
        f"WHERE {quote_table}.{qn('status')} = %s "
        f"AND {quote_table}.{qn('start_offset')} IS NOT NULL AND {among}"
    )
