"""Addresses never break: an old slug answers 301 to the current page, a removed page 410.

Old slugs are not stored separately: the history tables (django-simple-history) already record
every slug an author, document, claim or topic has had.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import redirect, render


class Moved(Exception):
    def __init__(self, current):
        self.current = current
        self.url = current.get_absolute_url()


class Gone(Exception):
    def __init__(self, description):
        self.description = description


def get_by_slug(queryset, slug):
    """The object with this slug now; raise Moved if it had the slug once, Gone if deleted."""
    model = queryset.model
    found = queryset.filter(slug=slug).first()
    if found is not None:
        return found
    past = model.history.filter(slug=slug).order_by("-history_date", "-history_id").first()
    if past is None:
        raise Http404(f"No {model._meta.verbose_name} is called “{slug}”.")
    current = model.objects.filter(pk=past.id).first()
    if current is None:
        raise Gone(f"The {model._meta.verbose_name} “{past}” was removed from the archive.")
    raise Moved(current)


def follow_moves(view):
    """Turn Moved into a permanent redirect to the same view at the current slug, Gone into 410."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Moved as moved:
            kwargs["slug"] = moved.current.slug
            return redirect(request.resolver_match.view_name, *args, permanent=True, **kwargs)
        except Gone as gone:
            return render(request, "410.html", {"description": gone.description}, status=410)

    return wrapper


def final_replacement(quote, limit=20):
    """Follow a chain of merges to the quote that remains."""
    seen = {quote.pk}
    while quote.merged_into_id and len(seen) < limit:
        quote = quote.merged_into
        if quote.pk in seen:
            break
        seen.add(quote.pk)
    return quote
