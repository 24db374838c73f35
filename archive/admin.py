"""A plain registration of every model; the curation issue makes the admin good."""

from django.contrib import admin

from archive.models import Author, Claim, Document, Quote, Stance, Topic


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["id", "__str__", "document", "said_start", "attribution", "status"]
    list_filter = ["status", "attribution", "document"]
    list_select_related = ["speaker", "document"]
    search_fields = ["text", "speaker__name"]
    readonly_fields = ["start_offset", "end_offset", "prefix", "suffix", "created_at", "updated_at"]
    inlines = [StanceInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    search_fields = ["name", "sort_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "publication", "published_on"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["text", "slug"]
    inlines = [StanceInline]


admin.site.register(Stance)
admin.site.site_header = "Who Said What: curation"
admin.site.site_title = "Who Said What"
