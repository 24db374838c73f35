"""Links that change one parameter of the current query and keep the others (minus `page`)."""

from django import template

register = template.Library()
MULTIPLE = {"speaker", "topic"}


def _href(query):
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _current(context):
    query = context["request"].GET.copy()
    query.pop("page", None)
    return query


@register.simple_tag(takes_context=True)
def toggle(context, name, value):
    """Add the value if absent, remove it if present; single-valued parameters are replaced."""
    query = _current(context)
    value = str(value)
    values = query.getlist(name)
    if value in values:
        values.remove(value)
    elif name in MULTIPLE:
        values.append(value)
    else:
        values = [value]
    query.setlist(name, values)
    if name == "claim" and not values:
        query.pop("position", None)
    return _href(query)


@register.simple_tag(takes_context=True)
def without(context, name, value=None):
    """The current query without that parameter (or without just that one value of it)."""
    query = _current(context)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [v for v in query.getlist(name) if v != str(value)])
    if name == "claim":
        query.pop("position", None)
    return _href(query)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return _href(query)
