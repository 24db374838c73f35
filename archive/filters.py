"""The quote list's parameters (../shared/CONTRACT.md, "Quote list parameters"), as one FilterSet.

Invalid or unknown values are not errors to the reader: django-filter leaves them out of
`cleaned_data`, so they filter nothing, and the page lists them from `ignored()`.
"""

import django_filters
from django import forms
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When

from archive import search
from archive.models import Author, Claim, Document, Quote, Stance, Topic

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
            if name in exclude or value in (None, "", []):
                continue
            if name == "position" and "claim" in exclude:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def without(self, *names):
        self.is_valid()  # validates once; invalid values stay out of cleaned_data
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

    def ordered(self, queryset):
        if self.chosen_sort == "relevance":
            return queryset.order_by("-rank", F("said_start").asc(nulls_last=True), "id")
        return queryset.order_by(*ORDERINGS[self.chosen_sort])

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
            if value in (None, "", []):
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

    def facets(self):
        """Each filter's values with the number of quotes they would give, other filters kept."""
        selected = self.form.cleaned_data

        def counted(rows, key, label, chosen):
            chosen = {getattr(item, "slug", item) for item in chosen}
            return [
                {
                    "value": row[key],
                    "label": row[label],
                    "count": row["n"],
                    "selected": row[key] in chosen,
                }  # fmt: skip
                for row in rows
                if row["n"] or row[key] in chosen
            ]

        def as_list(value):
            return value if isinstance(value, list) else ([value] if value else [])

        def chosen(name):
            return [getattr(item, "slug", item) for item in as_list(selected.get(name))]

        def chosen_first(field, name):
            """Order the selected values first (nothing to add when none is selected)."""
            if not chosen(name):
                return []
            first = Case(When(**{f"{field}__in": chosen(name)}, then=1), default=0)
            return [first.desc()]

        topics = (
            Topic.objects.annotate(
                n=Count("quotes", filter=Q(quotes__in=self.without("topic").values("pk")))
            )
            .filter(Q(n__gt=0) | Q(slug__in=chosen("topic")))
            .order_by(*chosen_first("slug", "topic"), "-n", "name")
            .values("slug", "name", "n")[:FACET_LIMIT]
        )
        speakers = (
            self.without("speaker")
            .values("speaker__slug", "speaker__name", "speaker__sort_name")
            .annotate(n=Count("id"))
            .order_by(*chosen_first("speaker__slug", "speaker"), "-n", "speaker__sort_name")[
                :FACET_LIMIT
            ]
        )
        documents = (
            self.without("document")
            .values("document__slug", "document__title")
            .annotate(n=Count("id"))
            .order_by(*chosen_first("document__slug", "document"), "-n", "document__title")[
                :FACET_LIMIT
            ]
        )
        claims = (
            Claim.objects.annotate(
                n=Count(
                    "stances__quote",
                    filter=Q(stances__quote__in=self.without("claim").values("pk")),
                    distinct=True,
                )
            )
            .filter(Q(n__gt=0) | Q(slug__in=chosen("claim")))
            .order_by(*chosen_first("slug", "claim"), "-n", "text")
            .values("slug", "text", "n")[:FACET_LIMIT]
        )
        kind_labels = dict(Document.Kind.choices)
        kinds = [
            {**row, "label": kind_labels.get(row["document__kind"], row["document__kind"])}
            for row in self.without("kind").values("document__kind").annotate(n=Count("id"))
        ]
        attribution_labels = dict(Quote.Attribution.choices)
        attributions = [
            {**row, "label": attribution_labels.get(row["attribution"], row["attribution"])}
            for row in self.without("attribution").values("attribution").annotate(n=Count("id"))
        ]
        return {
            "topic": counted(topics, "slug", "name", as_list(selected.get("topic"))),
            "speaker": counted(
                speakers, "speaker__slug", "speaker__name", as_list(selected.get("speaker"))
            ),
            "document": counted(
                documents, "document__slug", "document__title", as_list(selected.get("document"))
            ),
            "claim": counted(claims, "slug", "text", as_list(selected.get("claim"))),
            "kind": counted(kinds, "document__kind", "label", as_list(selected.get("kind"))),
            "attribution": counted(
                attributions, "attribution", "label", as_list(selected.get("attribution"))
            ),
        }
