"""Authors, topics, claims and stances: the catalogue the quotes hang on."""

from django.contrib import admin

from archive.admin.base import CuratedAdmin
from archive.models import Author, Claim, Stance, Topic


@admin.register(Author)
class AuthorAdmin(CuratedAdmin):
    list_display = ["name", "sort_name", "kind", "other_spellings", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "sort_name", "other_names"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Other names")
    def other_spellings(self, author):
        return "; ".join(author.other_names or [])


@admin.register(Topic)
class TopicAdmin(CuratedAdmin):
    list_display = ["name", "start_year", "end_year", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ClaimStanceInline(admin.TabularInline):
    model = Stance
    extra = 0
    autocomplete_fields = ["quote"]
    fields = ["quote", "position", "note"]


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = ["text", "slug"]
    list_filter = ["topics"]
    search_fields = ["text", "summary"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["topics"]
    inlines = [ClaimStanceInline]


@admin.register(Stance)
class StanceAdmin(CuratedAdmin):
    list_display = ["id", "quote", "claim", "position"]
    list_filter = ["position", "claim"]
    list_select_related = ["quote__speaker", "claim"]
    search_fields = ["quote__text", "quote__speaker__name", "claim__text"]
    autocomplete_fields = ["quote", "claim"]
