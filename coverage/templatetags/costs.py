"""How the timeline looks: the geometry of the server-rendered SVG (no charting JavaScript).

The page, the proposal PDF and any other document draw the same SVG from
``coverage/costs.html#timeline-svg`` with the numbers computed here. A phone gets a compact
drawing of the same lanes (``compact=True``): each lane's name on a line of its own above
its bar and one narrow column per month, so every month fits a 390 px window with the text
at its own size (the wide drawing scaled down to fit was unreadable, and at its own size
showed three months).
"""

import calendar

from django import template

register = template.Library()

LABEL_WIDTH = 200
MONTH_WIDTH = 46
LANE_HEIGHT = 34
TOP = 40
LABEL_CHARS = 28
# The compact drawing: the months share about this many pixels, each between these widths.
COMPACT_SPAN = 320
COMPACT_MONTH = (20, 46)
COMPACT_LANE = 50
COMPACT_LABEL_CHARS = 44



def _month_scale(months, left: int, width: int):
    """Where a month's centre and a day within its month fall, for months ``width`` wide
    from ``left`` (the planned start is a month, drawn at its centre; an actual start a day)."""
    index = {month: i for i, month in enumerate(months)}

    def centre(month):
        return left + index[month] * width + width // 2

    def on_day(day):
        days = calendar.monthrange(day.year, day.month)[1]
        return left + index[day.replace(day=1)] * width + (day.day - 1) * width // days + 3

    return centre, on_day


def _short(text: str, chars=LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


@register.simple_tag
def timeline_chart(costs, compact=False) -> dict:
    """Ticks for every month and one lane per problem, in pixels of the SVG's viewBox."""
    if compact:
        return _compact_chart(costs)
    months = costs.months
    centre, on_day = _month_scale(months, LABEL_WIDTH, MONTH_WIDTH)

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


def _compact_chart(costs) -> dict:
    """The phone's drawing: no label column, the lane's name above its bar, narrow months.

    Month ticks are initials when a month is too narrow for "Jan"; the year stands above
    each January (and the first month). Longer plans than the span allows are wider than a
    phone and scroll sideways in their box.
    """
    months = costs.months
    low, high = COMPACT_MONTH
    month_width = max(low, min(high, COMPACT_SPAN // max(len(months), 1)))
    left, top = 4, 34
    centre, on_day = _month_scale(months, left, month_width)

    ticks = [
        {
            "x": left + i * month_width,
            "centre": left + i * month_width + month_width // 2,
            "label": month.strftime("%b") if month_width >= 32 else month.strftime("%b")[0],
            "name": month.strftime("%B %Y"),
            "year": month.year if i == 0 or month.month == 1 else "",
        }
        for i, month in enumerate(months)
    ]
    lanes = []
    for i, pc in enumerate(costs.problem_costs):
        lane_top = top + i * COMPACT_LANE
        label = _short(pc.problem.label, COMPACT_LABEL_CHARS)
        lane = {"top": lane_top, "label_y": lane_top + 15, "y": lane_top + 28, "start": None}
        lane["actual"] = on_day(pc.actual_start) if pc.actual_start and months else None
        if pc.start is not None and months:
            # The hire after the problem, in what room the line has left.
            room = COMPACT_LABEL_CHARS + 2 - len(label) - 3
            hire = pc.first_hire.role.display_short_name
            lane["hire"] = f" · {_short(hire, room)}" if room >= 6 else ""
            lane["start"] = centre(pc.start)
            lane["end"] = centre(pc.milestones[-1].due)
            lane["markers"] = [
                {"x": centre(m.due), "label": m.timeframe.value, "filled": m.has_criteria}
                for m in pc.milestones
            ]
        elif pc.first_hire is not None:
            lane["note"] = "Start month unknown"
        else:
            lane["note"] = "No committed High-confidence hire"
        lane["label"] = label
        lane["statement"] = pc.full_statement
        lanes.append(lane)
    return {
        # Never narrower than the span: the lanes' names above the bars need the room.
        "width": max(left + month_width * len(months) + 8, COMPACT_SPAN + 12),
        "height": top + COMPACT_LANE * len(lanes) + 4,
        "grid_top": top - 12,
        "grid_bottom": top + COMPACT_LANE * len(lanes),
        "note_x": left + 4,
        "ticks": ticks,
        "lanes": lanes,
    }
