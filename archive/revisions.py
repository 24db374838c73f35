"""Public revision permalinks: a quote exactly as it read at revision n (filled in next)."""

from django.http import Http404


def quote_revisions(request, pk):
    raise Http404


def quote_revision(request, pk, number):
    raise Http404


def quote_revision_citation(request, pk, number, fmt):
    raise Http404
