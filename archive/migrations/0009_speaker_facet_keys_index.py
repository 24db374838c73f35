"""On PostgreSQL, an index of each speaker's published quotes that holds their topic_ids and
claim_ids (migration 0008), so that an author page counts the author's topics and claims
from the index alone (archive/author_counts.py), not by reading every quote's row and a
row of archive_quote_topics or archive_stance for each. On SQLite this migration does
nothing."""

from django.db import migrations

from archive.migrations._postgresql import run_on_postgresql

FORWARD_SQL = [
    "CREATE INDEX quote_published_keys_by_speaker ON archive_quote "
    "(speaker_id, said_start, id) INCLUDE (topic_ids, claim_ids) "
    "WHERE status = 'published' AND start_offset IS NOT NULL"
]
BACKWARD_SQL = ["DROP INDEX IF EXISTS quote_published_keys_by_speaker"]


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_quote_facet_keys"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD_SQL), run_on_postgresql(BACKWARD_SQL)),
    ]
