"""A claim's timeline: how many quotes took which side in which year, drawn as SVG.

The dots and the list of years are joined here from escaped parts (see below), not
in the template: a claim quoted over a century has hundreds of dots and links, and Django's
template engine takes several times longer to write each one.
"""

import math
from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
ROW_HEIGHT = 44
LEFT = 96
RIGHT = 24
TOP = 20
ROWS = [("supports", "Supports"), ("opposes", "Opposes"), ("qualifies", "Qualifies")]


def text(number):
    """A number as the SVG and the list show it (never localized)."""
    return f"{number:g}" if isinstance(number, float) else str(number)


def quotes_word(n):
    return f"{n} quote{'' if int(n) == 1 else 's'}"


# The markup below is joined from escaped parts: the claim's slug is escaped once, in the
# links' prefix; positions are escaped where they are used; labels come from ROWS and the
# rest are numbers this module formats.


def side_prefix(claim_slug):
    """The start of a link to one side's quotes: the position comes next."""
    return escape("/quotes/?" + urlencode({"claim": claim_slug})) + "&amp;position="


def side_link(prefix, position, year=None):
    """The quote list of one side of the claim, in one year if given (HTML-escaped)."""
    link = prefix + escape(position)
    if year is not None:
        link += f"&amp;said_from={year}&amp;said_to={year}"
    return link


def dots_html(points, prefix):
    return mark_safe(
        "".join(
            f'<a href="{side_link(prefix, p["position"], p["year"])}" '
            f'aria-label="{p["year"]}: {quotes_word(p["n"])} {p["label"]}">'
            f'<circle cx="{p["x"]}" cy="{p["y"]}" r="{p["r"]}" '
            f'class="dot dot-{escape(p["position"])}">'
            f"<title>{p['year']}: {quotes_word(p['n'])} {p['label']}</title></circle></a>"
            for p in points
        )
    )


def sides_html(sides, prefix, year=None):
    """Each side's count, as in "3 supports, 1 opposes", linked to its quotes."""
    return mark_safe(
        ", ".join(
            f'<a href="{side_link(prefix, value, year)}">{n} {label}</a>'
            for value, label, n in sides
        )
    )


def summary_html(summary, prefix):
    return mark_safe(
        "".join(
            f"<li>{year['year']}: {sides_html(year['sides'], prefix, year['year'])}</li>"
            for year in summary
        )
    )


def claim_timeline(counts, claim_slug):
    """Dots per (year, side), sized by how many quotes; undated counts apart.

    `counts` are rows {"quote__said_start__year", "position", "n"}; the page's size does not
    grow with the number of quotes, only with the number of years.
    """
    dated = [row for row in counts if row["quote__said_start__year"]]
    undated = {row["position"]: row["n"] for row in counts if not row["quote__said_start__year"]}
    years = sorted({row["quote__said_start__year"] for row in dated})
    labels = dict(ROWS)
    by_year = {}
    for row in dated:
        by_year.setdefault(row["quote__said_start__year"], []).append(
            (row["position"], labels[row["position"]].lower(), text(row["n"]))
        )
    summary = [{"year": text(year), "sides": by_year[year]} for year in years]
    undated_sides = [
        (value, label.lower(), undated[value]) for value, label in ROWS if value in undated
    ]
    prefix = side_prefix(claim_slug)
    undated_html = sides_html(undated_sides, prefix) if undated_sides else ""
    if not years:
        return {"points": [], "undated": undated_html}
    first, last = years[0], years[-1]
    span = max(last - first, 1)
    plot_width = WIDTH - LEFT - RIGHT
    rows = [
        {"label": label, "y": text(TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2), "value": value}
        for index, (value, label) in enumerate(ROWS)
    ]
    row_y = {row["value"]: row["y"] for row in rows}

    def x_of(year):
        if last == first:
            return LEFT + plot_width / 2
        return round(LEFT + (year - first) / span * plot_width, 1)

    points = [
        {
            "x": text(x_of(row["quote__said_start__year"])),
            "y": row_y[row["position"]],
            "r": text(round(4 + 2.5 * math.sqrt(row["n"]), 1)),
            "year": text(row["quote__said_start__year"]),
            "position": row["position"],
            "label": labels[row["position"]].lower(),
            "n": text(row["n"]),
        }
        for row in dated
    ]
    step = max(1, round(span / 8))
    ticks = [{"year": text(year), "x": text(x_of(year))} for year in range(first, last + 1, step)]
    return {
        "points": points,
        "dots": dots_html(points, prefix),
        "summary_html": summary_html(summary, prefix),
        "undated": undated_html,
        "rows": rows,
        "ticks": ticks,
        "width": text(WIDTH),
        "height": text(TOP + len(ROWS) * ROW_HEIGHT + 30),
        "axis_y": text(TOP + len(ROWS) * ROW_HEIGHT),
        "tick_y": text(TOP + len(ROWS) * ROW_HEIGHT + 18),
        "left": text(LEFT),
        "right": text(WIDTH - RIGHT),
    }
