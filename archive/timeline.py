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


# The markup below is joined from escaped parts: each side's link is escaped once, the
# claim's slug in its prefix and the position after it (side_links); labels come from ROWS and
# the rest are numbers this module formats.


def side_links(claim_slug):
    """The start of the link to each side's quotes, by position (HTML-escaped)."""
    prefix = escape("/quotes/?" + urlencode({"claim": claim_slug})) + "&amp;position="
    return {value: prefix + escape(value) for value, _ in ROWS}


def in_year(link, year):
    """A side's link narrowed to the quotes of one year."""
    return f"{link}&amp;said_from={year}&amp;said_to={year}"


def dots_html(points, links):
    classes = {value: escape(value) for value in links}
    return mark_safe(
        "".join(
            f'<a href="{in_year(links[p["position"]], p["year"])}" '
            f'aria-label="{p["year"]}: {quotes_word(p["n"])} {p["label"]}">'
            f'<circle cx="{p["x"]}" cy="{p["y"]}" r="{p["r"]}" '
            f'class="dot dot-{classes[p["position"]]}">'
            f"<title>{p['year']}: {quotes_word(p['n'])} {p['label']}</title></circle></a>"
            for p in points
        )
    )


def sides(counts, links, year=None):
    """Each side's count, as in "3 supports, 1 opposes", linked to its quotes."""
    return ", ".join(
        f'<a href="{links[value] if year is None else in_year(links[value], year)}">{n} {label}</a>'
        for value, label, n in counts
    )


def summary_html(summary, links):
    return mark_safe(
        "".join(
            f"<li>{year['year']}: {sides(year['sides'], links, year['year'])}</li>"
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
    links = side_links(claim_slug)
    undated_html = mark_safe(sides(undated_sides, links)) if undated_sides else ""
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
        "dots": dots_html(points, links),
        "summary_html": summary_html(summary, links),
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
