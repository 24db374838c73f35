"""format_html_quickly (archive/escaping.py) writes what Django's format_html writes."""

import pytest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from archive.escaping import format_html_quickly

VALUES = [
    "plain",
    "<script>alert('x')</script>",
    "a \"quoted\" & <b>bold</b> 'word'",
    mark_safe("<em>already safe</em>"),
    SafeString("&amp; kept"),
    gettext_lazy("lazy <text>"),
    42,
    0,
    None,
    3.5,
    "",
    "ünïcödé — “quotes” … \ue000",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_it_escapes_each_value_as_format_html_does(value):
    template = '<a href="{}" title="{title}">{}</a>'
    quick = format_html_quickly(template, value, value, title=value)
    assert quick == format_html(template, value, value, title=value)
    assert isinstance(quick, SafeString)


def test_a_safe_value_is_not_escaped_twice():
    inner = format_html_quickly("<b>{}</b>", "<i>")
    assert format_html_quickly("<p>{}</p>", inner) == "<p><b>&lt;i&gt;</b></p>"
