"""The curators' admin: one module per job (see each module's docstring)."""

from django.contrib import admin

from archive.admin import documents, people, quotes  # noqa: F401  (registers the admins)

admin.site.site_header = "Who Said What: curation"
admin.site.site_title = "Who Said What"
admin.site.index_title = "Curation"
