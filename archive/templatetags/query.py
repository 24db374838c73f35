"""Links that change one parameter of the current query and keep the others (minus `page`).

A list page has a hundred such links; the current query is read once per request and each
link copies only its lists, not a whole QueryDict.
"""

from urllib.parse import urlencode

from django import template

register = template.Library()
MULTIPLE = {"speaker", "topic"}


def _href(query):
    """`query` ({name: [values]}) as QueryDict.urlencode() writes it, after a "?"."""
    return "?" + "&".join(
        urlencode({name: value}) for name, values in query.items() for value in values
    )


def _current(context):
    """{name: [values]} of the current query without `page`, read once per request."""
    request = context["request"]
    read = getattr(request, "_query_lists", None)
    if read is None:
        read = {name: values for name, values in request.GET.lists() if name != "page"}
        request._query_lists = read
    return {name: list(values) for name, values in read.items()}


@register.simple_tag(takes_context=True)
def toggle(context, name, value):
    """Add the value if absent, remove it if present; single-valued parameters are replaced."""
    query = _current(context)
    value = str(value)
    values = query.get(name, [])
    if value in values:
        values.remove(value)
    elif name in MULTIPLE:
        values.append(value)
    else:
        values = [value]
    query[name] = values
    if name == "claim" and not values:
        query.pop("position", None)
    return _href(query)


def toggler(context, name):
    """`toggle(context, name, value)` as a function of the value, for the links of one
    parameter (a facet has up to 12): the parts of the query a new value leaves as they are
    are encoded once, not once per link."""
    query = _current(context)
    current = query.get(name, [])
    names = list(query)
    at = names.index(name) if name in query else len(names)
    before = [urlencode({key: value}) for key in names[:at] for value in query[key]]
    after = [urlencode({key: value}) for key in names[at + 1 :] for value in query[key]]
    kept = [urlencode({name: value}) for value in current] if name in MULTIPLE else []

    def link(value):
        value = str(value)
        if value in current:  # removed: the rare case, left to toggle
            return toggle(context, name, value)
        return "?" + "&".join([*before, *kept, urlencode({name: value}), *after])

    return link


@register.simple_tag(takes_context=True)
def without(context, name, value=None):
    """The current query without that parameter (or without just that one value of it)."""
    query = _current(context)
    if value is None:
        query.pop(name, None)
    else:
        query[name] = [v for v in query.get(name, []) if v != str(value)]
    if name == "claim":
        query.pop("position", None)
    return _href(query)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = _current(context)
    query["page"] = [str(number)]
    return _href(query)
