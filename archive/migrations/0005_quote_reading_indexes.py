"""Indexes for reading quotes at scale (issue 5): the archive's last change, the quote list in
date order either way, and the newest additions.

Latest first (said_start DESC NULLS LAST, as the list sorts) is an index on PostgreSQL only:
SQLite cannot write NULLS LAST in an index, and its archive is small.
"""

from django.db import migrations, models

LATEST_FIRST = (
    'CREATE INDEX "quote_published_by_date_desc" ON "archive_quote" '
    '("said_start" DESC NULLS LAST, "id" DESC) '
    "WHERE (\"start_offset\" IS NOT NULL AND \"status\" = 'published')"
)


def on_postgresql(sql):
    def step(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return step


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_curators_group"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["updated_at"], name="quote_updated_at"),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("start_offset__isnull", False), ("status", "published")),
                fields=["said_start", "id"],
                name="quote_published_by_date",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("start_offset__isnull", False), ("status", "published")),
                fields=["-created_at", "-id"],
                name="quote_published_by_addition",
            ),
        ),
        migrations.RunPython(
            on_postgresql(LATEST_FIRST),
            on_postgresql('DROP INDEX IF EXISTS "quote_published_by_date_desc"'),
        ),
    ]
