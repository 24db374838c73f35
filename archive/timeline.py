"""A claim's timeline: who took which side when, drawn as SVG on the server."""

from dataclasses import dataclass

WIDTH = 640
ROW_HEIGHT = 44
LEFT = 96
RIGHT = 24
TOP = 20
ROWS = [("supports", "Supports"), ("opposes", "Opposes"), ("qualifies", "Qualifies")]


@dataclass
class Point:
    x: float
    y: float
    stance: object


def claim_timeline(stances):
    """Positions for the dated stances, axis ticks, and the undated stances listed apart."""
    dated = [s for s in stances if s.quote.said_start]
    undated = [s for s in stances if not s.quote.said_start]
    if not dated:
        return {"points": [], "undated": undated, "height": 0, "ticks": [], "rows": []}
    first = min(s.quote.said_start.year for s in dated)
    last = max(s.quote.said_start.year for s in dated)
    span = max(last - first, 1)
    plot_width = WIDTH - LEFT - RIGHT
    rows = [
        {"label": label, "y": TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2, "value": value}
        for index, (value, label) in enumerate(ROWS)
    ]
    row_y = {row["value"]: row["y"] for row in rows}
    seen = {}
    points = []
    for stance in dated:
        year = stance.quote.said_start.year
        x = LEFT + (year - first) / span * plot_width if last > first else LEFT + plot_width / 2
        stack = seen.get((stance.position, year), 0)
        seen[(stance.position, year)] = stack + 1
        points.append(Point(round(x, 1), row_y[stance.position] - 12 + (stack % 4) * 8, stance))
    step = max(1, round(span / 8))
    ticks = (
        [
            {"year": year, "x": round(LEFT + (year - first) / span * plot_width, 1)}
            for year in range(first, last + 1, step)
        ]
        if last > first
        else [{"year": first, "x": LEFT + plot_width / 2}]
    )
    return {
        "points": points,
        "undated": undated,
        "rows": rows,
        "ticks": ticks,
        "width": WIDTH,
        "height": TOP + len(ROWS) * ROW_HEIGHT + 30,
        "axis_y": TOP + len(ROWS) * ROW_HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "first": first,
        "last": last,
    }
