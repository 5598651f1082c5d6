"""Entry points for the worker processes: plain data (and the domain's History) in, bytes out.

The bot's own process never imports matplotlib or fpdf2 (about a second of start-up); only
the workers do, when they first draw.
"""

from __future__ import annotations

from typing import Any

from bot.domain.history import History


def progress_chart(history: History, labels: dict[str, Any]) -> bytes:
    """The /progress chart as PNG."""
    from bot.media.charts import ChartLabels
    from bot.media.charts import progress_chart as draw

    return draw(history, ChartLabels(**labels))


def routine_pdf(
    sheet: dict[str, Any], items: list[dict[str, Any]], labels: dict[str, Any]
) -> bytes:
    """The /pdf routine sheet."""
    from bot.media.pdf import PdfLabels, RoutineSheet, SheetItem
    from bot.media.pdf import routine_pdf as draw

    routine = RoutineSheet(**sheet, items=[SheetItem(**item) for item in items])
    return draw(routine, PdfLabels(**labels))
