"""How the timeline looks: the geometry of the server-rendered SVG (no charting JavaScript).

The page, the proposal PDF and any other document draw the same SVG from
``coverage/costs.html#timeline-svg`` with the numbers computed here.
"""

import calendar

from django import template

register = template.Library()

LABEL_WIDTH = 200
MONTH_WIDTH = 46
LANE_HEIGHT = 34
TOP = 40
LABEL_CHARS = 28


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


@register.simple_tag
def timeline_chart(costs) -> dict:
    """Ticks for every month and one lane per problem, in pixels of the SVG's viewBox."""
    months = costs.months
    index = {month: i for i, month in enumerate(months)}

    def centre(month):
        return LABEL_WIDTH + index[month] * MONTH_WIDTH + MONTH_WIDTH // 2

    def on_day(day):
        """A day's place within its month (the planned start is a month, drawn at its centre)."""
        days = calendar.monthrange(day.year, day.month)[1]
        offset = (day.day - 1) * MONTH_WIDTH // days + 3
        return LABEL_WIDTH + index[day.replace(day=1)] * MONTH_WIDTH + offset

    ticks = [
        {
            "x": LABEL_WIDTH + i * MONTH_WIDTH,
            "centre": LABEL_WIDTH + i * MONTH_WIDTH + MONTH_WIDTH // 2,
            "label": month.strftime("%b"),
            "year": month.year if i == 0 or month.month == 1 else "",
        }
        for i, month in enumerate(months)
    ]
    lanes = []
    for i, pc in enumerate(costs.problem_costs):
        y = TOP + i * LANE_HEIGHT + LANE_HEIGHT // 2
        lane = {
            "y": y,
            "top": TOP + i * LANE_HEIGHT,
            "label": _short(pc.problem.label),
            "statement": pc.full_statement,
            "start": None,
            "actual": None,
        }
        if pc.actual_start is not None and months:
            lane["actual"] = on_day(pc.actual_start)
        if pc.start is not None and months:
            lane["start"] = centre(pc.start)
            lane["end"] = centre(pc.milestones[-1].due)
            lane["hire"] = _short(pc.first_hire.role.display_short_name)
            lane["markers"] = [
                {"x": centre(m.due), "label": m.timeframe.value, "filled": m.has_criteria}
                for m in pc.milestones
            ]
        elif pc.first_hire is not None:
            lane["note"] = "Start month unknown"
        else:
            lane["note"] = "No committed High-confidence hire"
        lanes.append(lane)
    width = LABEL_WIDTH + MONTH_WIDTH * max(len(months), 6) + 12
    return {
        "width": width,
        "height": TOP + LANE_HEIGHT * len(lanes) + 12,
        "grid_bottom": TOP + LANE_HEIGHT * len(lanes),
        "label_width": LABEL_WIDTH,
        "note_x": LABEL_WIDTH + 8,
        "ticks": ticks,
        "lanes": lanes,
    }
