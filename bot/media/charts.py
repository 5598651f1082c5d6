"""A person's progress as one tall PNG: holds, pain and an 8-week calendar.

Pure and thread-safe: matplotlib's object API only (a `Figure` with its own Agg canvas, never
pyplot and its global figure manager), so it can run in a worker thread or process. Every
word on the picture comes from `ChartLabels`, filled by the caller from the wording module.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from matplotlib import colormaps
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

# What the chart shows, as the domain puts it on the person's local calendar; the caller
# keys `holds` by each line's display name.
from bot.domain.history import History as ProgressHistory

# 10 x 13 inches at 100 dpi: 1000 x 1300 px, a tall picture that fills a phone screen.
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 13.0, 100
CALENDAR_WEEKS = 8
DAYS_PER_WEEK = 7
# The pain traffic light, as in bot.domain.progression: 0-3 fine, 4-5 acceptable, 6-10 too much.
_BANDS = ((0, 3, "#2e9e44"), (4, 5, "#e8a317"), (6, 10, "#d1382f"))
_SESSION_COLOUR = "#2e7dd7"
_EMPTY_DAY_COLOUR = "#e6e9ee"
_FUTURE_DAY_COLOUR = "#f7f8fa"
_TODAY_EDGE = "#1b1f24"
_TEXT = "#1b1f24"
_MUTED = "#5b6470"
_TITLE_SIZE = 19
_LABEL_SIZE = 15
_TICK_SIZE = 13


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every word on the chart.

    `calendar_title` is formatted with `streak=`; `weekdays` has 7 short names, Monday first;
    `format_day` writes a day of the time axes and the calendar's week columns in the reader's
    language ("28. Nov."): it runs in the worker, so it must pickle and carry that language
    (strftime's month names are English only). An empty `title` leaves the picture without an
    overall title.
    """

    title: str
    holds_title: str
    holds_axis: str
    pain_title: str
    pain_axis: str
    pain_fine: str
    pain_acceptable: str
    pain_too_much: str
    calendar_title: str
    weekdays: tuple[str, ...]
    format_day: Callable[[date], str]
    no_data: str


def _date_text(day: date | datetime, labels: ChartLabels) -> str:
    return labels.format_day(day.date() if isinstance(day, datetime) else day)


def progress_chart(history: ProgressHistory, labels: ChartLabels) -> bytes:
    """The PNG bytes (1000 x 1300 px) of the holds, pain and calendar panels, top to bottom."""
    if len(labels.weekdays) != DAYS_PER_WEEK:
        raise ValueError(f"labels.weekdays needs 7 names, got {len(labels.weekdays)}")
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    figure.get_layout_engine().set(h_pad=0.12, hspace=0.06)
    if labels.title:
        figure.suptitle(labels.title, fontsize=_TITLE_SIZE + 3, fontweight="bold", color=_TEXT)
    holds_ax, pain_ax, calendar_ax = figure.subplots(
        3, 1, gridspec_kw={"height_ratios": (4.2, 3.4, 3.6)}
    )
    start, end = _time_range(history)
    _holds_panel(holds_ax, history, labels, start, end)
    _pain_panel(pain_ax, history, labels, start, end)
    _calendar_panel(calendar_ax, history, labels)
    buffer = io.BytesIO()
    canvas.print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _naive(instant: datetime) -> datetime:
    # Pain times are drawn on the person's own clock: drop any zone rather than convert to UTC.
    return instant.replace(tzinfo=None)


def _time_range(history: ProgressHistory) -> tuple[datetime, datetime]:
    """The shared x range of the holds and pain panels: first data point to end of today."""
    firsts = [_midnight(points[0][0]) for points in history.holds.values() if points]
    firsts += [_naive(instant) for instant, _ in history.pains]
    end = _midnight(history.today + timedelta(days=1))
    start = min([*firsts, end - timedelta(days=14)])
    # A little air on the left so the first marker is not cut in half.
    return start - timedelta(hours=12), end


def _style(ax: Axes, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=_TITLE_SIZE, fontweight="bold", color=_TEXT, pad=10)
    ax.set_ylabel(ylabel, fontsize=_LABEL_SIZE, color=_MUTED)
    ax.tick_params(labelsize=_TICK_SIZE, colors=_MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#d9dde3", linewidth=0.8)
    ax.set_axisbelow(True)


def _date_axis(ax: Axes, labels: ChartLabels, start: datetime, end: datetime) -> None:
    ax.set_xlim(start, end)
    # Ticks on Mondays, every week or every few weeks, so there are at most ~7 of them.
    weeks = math.ceil((end - start).days / DAYS_PER_WEEK)
    interval = max(1, math.ceil(weeks / 7))
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=interval))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _: _date_text(mdates.num2date(value), labels))
    )


def _no_data(ax: Axes, labels: ChartLabels) -> None:
    ax.text(
        0.5,
        0.5,
        labels.no_data,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=_LABEL_SIZE + 2,
        color=_MUTED,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": "#c4cad3"},
        zorder=10,
    )


def _holds_panel(
    ax: Axes, history: ProgressHistory, labels: ChartLabels, start: datetime, end: datetime
) -> None:
    _style(ax, labels.holds_title, labels.holds_axis)
    _date_axis(ax, labels, start, end)
    series = [(name, points) for name, points in history.holds.items() if points]
    if not series:
        ax.set_ylim(0, 60)
        _no_data(ax, labels)
        return
    colours = _palette(len(series))
    top = 0
    for (name, points), colour in zip(series, colours, strict=True):
        ordered = sorted(points)
        xs = [_midnight(day) for day, _ in ordered]
        ys = [seconds for _, seconds in ordered]
        top = max(top, *ys)
        # The hold stays at its last value until today: extend the step to the right edge.
        ax.step([*xs, end], [*ys, ys[-1]], where="post", color=colour, linewidth=2.6)
        ax.plot(xs, ys, linestyle="none", marker="o", markersize=7, color=colour, label=name)
    ax.set_ylim(0, top * 1.15 + 2)
    # Under the plot, so it never hides a line however the holds move.
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.1),
        fontsize=_TICK_SIZE + 1,
        frameon=False,
        ncols=min(3 if max(len(name) for name, _ in series) <= 18 else 2, len(series)),
        handletextpad=0.3,
        columnspacing=1.6,
    )


def _palette(count: int) -> list[str]:
    # Colour-blind friendly first (Okabe-Ito), then matplotlib's tab20 for long routines.
    okabe_ito = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    if count <= len(okabe_ito):
        return okabe_ito[:count]
    tab20 = colormaps["tab20"]
    return [tab20(i % 20) for i in range(count)]


def _pain_panel(
    ax: Axes, history: ProgressHistory, labels: ChartLabels, start: datetime, end: datetime
) -> None:
    _style(ax, labels.pain_title, labels.pain_axis)
    _date_axis(ax, labels, start, end)
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.grid(False)
    band_names = (labels.pain_fine, labels.pain_acceptable, labels.pain_too_much)
    for low, high, colour in _BANDS:
        ax.axhspan(low - 0.5, high + 0.5, color=colour, alpha=0.13, linewidth=0)
    # The band names sit outside the plot on the right, clear of the points.
    bands_axis = ax.secondary_yaxis("right")
    bands_axis.set_yticks([(low + high) / 2 for low, high, _ in _BANDS], band_names)
    bands_axis.tick_params(length=0, labelsize=_TICK_SIZE)
    bands_axis.spines["right"].set_visible(False)
    for tick, (_, _, colour) in zip(bands_axis.get_yticklabels(), _BANDS, strict=True):
        tick.set_color(colour)
        tick.set_fontweight("bold")
    if not history.pains:
        _no_data(ax, labels)
        return
    xs = [_naive(instant) for instant, _ in history.pains]
    ys = [score for _, score in history.pains]
    colours = [_band_colour(score) for score in ys]
    ax.scatter(xs, ys, c=colours, s=70, edgecolors="white", linewidths=1.2, zorder=3)


def _band_colour(score: int) -> str:
    for low, high, colour in _BANDS:
        if low <= score <= high:
            return colour
    return _BANDS[-1][2]


def _calendar_panel(ax: Axes, history: ProgressHistory, labels: ChartLabels) -> None:
    """Eight weeks as columns (this week last), weekdays as rows with Monday on top."""
    ax.set_title(
        labels.calendar_title.format(streak=history.streak),
        loc="left",
        fontsize=_TITLE_SIZE,
        fontweight="bold",
        color=_TEXT,
        pad=10,
    )
    today = history.today
    first_monday = today - timedelta(days=today.weekday() + DAYS_PER_WEEK * (CALENDAR_WEEKS - 1))
    done = set(history.session_days)
    gap = 0.08
    for week in range(CALENDAR_WEEKS):
        for weekday in range(DAYS_PER_WEEK):
            day = first_monday + timedelta(days=week * DAYS_PER_WEEK + weekday)
            if day > today:
                colour = _FUTURE_DAY_COLOUR
            elif day in done:
                colour = _SESSION_COLOUR
            else:
                colour = _EMPTY_DAY_COLOUR
            ax.add_patch(
                Rectangle(
                    (week + gap / 2, weekday + gap / 2),
                    1 - gap,
                    1 - gap,
                    facecolor=colour,
                    edgecolor="none",
                )
            )
            ax.text(
                week + 0.5,
                weekday + 0.5,
                str(day.day),
                ha="center",
                va="center",
                fontsize=_TICK_SIZE - 1,
                color="white" if colour == _SESSION_COLOUR else "#8a929c",
            )
            if day == today:
                ax.add_patch(
                    Rectangle(
                        (week + gap / 2, weekday + gap / 2),
                        1 - gap,
                        1 - gap,
                        facecolor="none",
                        edgecolor=_TODAY_EDGE,
                        linewidth=3.2,
                        zorder=4,
                    )
                )
    ax.set_xlim(0, CALENDAR_WEEKS)
    ax.set_ylim(DAYS_PER_WEEK, 0)  # Monday at the top
    ax.set_xticks(
        [week + 0.5 for week in range(CALENDAR_WEEKS)],
        [
            _date_text(first_monday + timedelta(weeks=week), labels)
            for week in range(CALENDAR_WEEKS)
        ],
    )
    ax.set_yticks([weekday + 0.5 for weekday in range(DAYS_PER_WEEK)], list(labels.weekdays))
    ax.tick_params(length=0, labelsize=_TICK_SIZE, colors=_MUTED)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if not any(first_monday <= day <= today for day in done):
        _no_data(ax, labels)
