"""The topics and claims of each quote, kept on its row on PostgreSQL, for counting facets.

archive_quote.topic_ids holds the ids of the quote's topics (archive_quote_topics) and
claim_ids those of the claims it takes a side on (archive_stance), each sorted. The quote
list counts a search's topics and claims from them (archive/filters.py, FacetCounts): for
2,000 quotes found that is two scans of arrays already read with the quotes, instead of
2,000 index probes into each table (~7 ms of a 26 ms statement at 100,000 quotes).

They are copies, never written by the application: triggers on the two tables recompute a
quote's arrays from them after every statement that inserts, updates or deletes its rows
(one UPDATE per statement, however many rows a bulk load writes). The quotes are locked
first, so that the UPDATE, a statement of its own, sees what a concurrent change to the same
quotes committed. The columns are not model fields (SQLite has no arrays: there the facets
are counted from the two tables), like search_vector (migration 0002). On SQLite this
migration does nothing.
"""

from django.db import migrations

from archive.migrations._postgresql import run_on_postgresql

TABLES = ["archive_quote_topics", "archive_stance"]

FORWARD_SQL = [
    "ALTER TABLE archive_quote "
    "ADD COLUMN topic_ids integer[] NOT NULL DEFAULT '{}', "
    "ADD COLUMN claim_ids integer[] NOT NULL DEFAULT '{}'",
    """
    CREATE FUNCTION archive_quote_facet_keys(quote_ids integer[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM archive_quote WHERE id = ANY(quote_ids) ORDER BY id FOR UPDATE;
        UPDATE archive_quote q SET
            topic_ids = ARRAY(
                SELECT t.topic_id FROM archive_quote_topics t
                WHERE t.quote_id = q.id ORDER BY t.topic_id
            ),
            claim_ids = ARRAY(
                SELECT s.claim_id FROM archive_stance s
                WHERE s.quote_id = q.id ORDER BY s.claim_id
            )
        WHERE q.id = ANY(quote_ids);
    END
    $$
    """,
    """
    CREATE FUNCTION archive_quote_facet_keys_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM archive_quote_facet_keys(ARRAY(SELECT DISTINCT quote_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM archive_quote_facet_keys(ARRAY(SELECT DISTINCT quote_id FROM old_rows));
        ELSE
            PERFORM archive_quote_facet_keys(ARRAY(
                SELECT quote_id FROM old_rows UNION SELECT quote_id FROM new_rows
            ));
        END IF;
        RETURN NULL;
    END
    $$
    """,
]
# A trigger with transition tables fires on one kind of statement: three per table.
for table in TABLES:
    FORWARD_SQL += [
        f"CREATE TRIGGER {table}_facet_keys_insert AFTER INSERT ON {table} "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_quote_facet_keys_trigger()",
        f"CREATE TRIGGER {table}_facet_keys_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_quote_facet_keys_trigger()",
        f"CREATE TRIGGER {table}_facet_keys_delete AFTER DELETE ON {table} "
        "REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_quote_facet_keys_trigger()",
    ]
FORWARD_SQL += [  # the arrays of the quotes already there, in one pass
    "SELECT archive_quote_facet_keys(ARRAY(SELECT id FROM archive_quote))",
]

BACKWARD_SQL = [
    f"DROP TRIGGER IF EXISTS {table}_facet_keys_{event} ON {table}"
    for table in TABLES
    for event in ["insert", "update", "delete"]
] + [
    "DROP FUNCTION IF EXISTS archive_quote_facet_keys_trigger()",
    "DROP FUNCTION IF EXISTS archive_quote_facet_keys(integer[])",
    "ALTER TABLE archive_quote DROP COLUMN IF EXISTS topic_ids, DROP COLUMN IF EXISTS claim_ids",
]


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_author_page_covering_index"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(BACKWARD_SQL)),
    ]
