"""A claim's timeline: how many quotes took which side in which year, drawn as SVG."""

import math

WIDTH = 640
ROW_HEIGHT = 44
LEFT = 96
RIGHT = 24
TOP = 20
ROWS = [("supports", "Supports"), ("opposes", "Opposes"), ("qualifies", "Qualifies")]


def text(number):
    """A number as the SVG and the list show it. Numbers are handed to the template as text:
    a claim quoted over many years has thousands of them, and the template would localize
    each one."""
    return f"{number:g}" if isinstance(number, float) else str(number)


def claim_timeline(counts):
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
    if not years:
        return {"points": [], "summary": [], "undated": undated_sides}
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
        "summary": summary,
        "undated": undated_sides,
        "rows": rows,
        "ticks": ticks,
        "width": text(WIDTH),
        "height": text(TOP + len(ROWS) * ROW_HEIGHT + 30),
        "axis_y": text(TOP + len(ROWS) * ROW_HEIGHT),
        "tick_y": text(TOP + len(ROWS) * ROW_HEIGHT + 18),
        "left": text(LEFT),
        "right": text(WIDTH - RIGHT),
    }
