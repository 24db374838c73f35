"""Full-text search on PostgreSQL: a stored tsvector per quote, kept current by triggers.

archive_quote.search_vector holds the quote's own words (weight A) and its speaker's name and
other names (weight D), in the 'simple' configuration (lower case, no stemming, no stop words:
every word typed must match, names are left alone). Triggers keep it current when a quote's
text or speaker changes and when an author's name or other names change; a GIN index answers
the search. The column is not a model field: archive/search.py reads it on PostgreSQL only.
On SQLite this migration does nothing (archive/search.py searches word by word there).
"""

from django.db import migrations

from archive.migrations._postgresql import run_on_postgresql

FORWARD_SQL = [
    "ALTER TABLE archive_quote ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION archive_quote_search_document(quote_text text, author_id integer)
    RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector('simple', coalesce(quote_text, '')), 'A')
            || setweight(to_tsvector('simple', coalesce((
                SELECT a.name || ' ' || coalesce((
                    SELECT string_agg(other_name, ' ')
                    FROM jsonb_array_elements_text(
                        CASE WHEN jsonb_typeof(a.other_names) = 'array'
                        THEN a.other_names ELSE '[]'::jsonb END
                    ) AS other_name
                ), '')
                FROM archive_author a WHERE a.id = author_id
            ), '')), 'D')
    $$
    """,
    """
    CREATE FUNCTION archive_quote_search_vector_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := archive_quote_search_document(NEW.text, NEW.speaker_id);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER archive_quote_search_vector
    BEFORE INSERT OR UPDATE OF text, speaker_id ON archive_quote
    FOR EACH ROW EXECUTE FUNCTION archive_quote_search_vector_trigger()
    """,
    """
    CREATE FUNCTION archive_author_search_vector_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.name IS NOT DISTINCT FROM NEW.name
                AND OLD.other_names IS NOT DISTINCT FROM NEW.other_names THEN
            RETURN NULL;
        END IF;
        UPDATE archive_quote
        SET search_vector = archive_quote_search_document(text, speaker_id)
        WHERE speaker_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER archive_author_search_vector
    AFTER INSERT OR UPDATE OF name, other_names ON archive_author
    FOR EACH ROW EXECUTE FUNCTION archive_author_search_vector_trigger()
    """,
    "UPDATE archive_quote SET search_vector = archive_quote_search_document(text, speaker_id)",
    "CREATE INDEX archive_quote_search_vector_gin ON archive_quote USING gin (search_vector)",
]

BACKWARD_SQL = [
    "DROP TRIGGER IF EXISTS archive_author_search_vector ON archive_author",
    "DROP TRIGGER IF EXISTS archive_quote_search_vector ON archive_quote",
    "DROP FUNCTION IF EXISTS archive_author_search_vector_trigger()",
    "DROP FUNCTION IF EXISTS archive_quote_search_vector_trigger()",
    "DROP FUNCTION IF EXISTS archive_quote_search_document(text, integer)",
    "DROP INDEX IF EXISTS archive_quote_search_vector_gin",
    "ALTER TABLE archive_quote DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(BACKWARD_SQL)),
    ]
