"""format_html for the markup a list page repeats a hundred times (quote cards, facet links).

Django's format_html escapes each value with conditional_escape, whose escape() is wrapped for
lazy strings (keep_lazy) and returns a SafeString: about half of what writing a quote card
costs. `format_html_quickly` gives the same string, value for value (a test holds it to
format_html), with one check for lazy strings and the standard library's html.escape; its
result is made a SafeString directly, as mark_safe makes a str one, without mark_safe's own
wrapper for lazy strings (~2.5 µs a call, two hundred calls on a page of 25 cards).
"""

import html

from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escaped(value):
    """conditional_escape(value) as a plain str: safe values as they are, others escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_html_quickly(template, *args, **kwargs):
    """format_html(template, *args, **kwargs), the same safe string."""
    return SafeString(
        template.format(
            *[escaped(value) for value in args],
            **{name: escaped(value) for name, value in kwargs.items()},
        )
    )
