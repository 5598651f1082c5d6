"""Updates in: read one by one, so one that python-telegram-bot cannot read stops no one.

PTB parses a whole getUpdates batch with `Update.de_list`; one update it cannot read (a
sender without `first_name`, say) makes the whole batch fail, and the Updater fetches the
same batch again at once, forever, logging it each time ("Received data was ...": other
people's messages). Here each update is read on its own first: one that fails is logged by
its `update_id` and the exception's type only, and replaced by a bare `{"update_id": n}`,
which PTB reads as an empty Update that no handler takes. The Updater then confirms it like
any other (the offset moves past it) and everyone else's updates are handled.

`UpdatesRequest` does this for polling (PTB's documented hook: a custom `BaseRequest` for
getUpdates); the webhook handler (bot/webhook.py) reads each POST with `read_update`.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.request import HTTPXRequest, RequestData

logger = logging.getLogger(__name__)


def update_id_of(data: object) -> int | None:
    """The update's id, if it has a usable one (nothing else of it is ever logged)."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if isinstance(update_id, int) and not isinstance(update_id, bool):
        return update_id
    return None


def read_update(data: object, bot: Bot | None) -> Update | None:
    """The update PTB makes of `data`, or None (logged by id) when it cannot read it."""
    try:
        update = Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:  # whatever PTB raises on it, the update is skipped
        update_id = update_id_of(data)
        # The type only: PTB's messages can quote the data.
        logger.warning(
            "skipped update %s: python-telegram-bot cannot read it (%s)",
            update_id if update_id is not None else "without an update_id",
            type(error).__name__,
        )
        return None
    return update


def readable_updates(batch: list[Any]) -> list[Any]:
    """`batch` with each update PTB cannot read replaced by a bare one with its update_id."""
    readable = []
    for data in batch:
        if read_update(data, None) is not None:
            readable.append(data)
            continue
        update_id = update_id_of(data)
        if update_id is not None:  # Telegram always sends one; without it, nothing to confirm
            readable.append({"update_id": update_id})
    return readable


class UpdatesRequest(HTTPXRequest):
    """PTB's HTTP client for getUpdates, handing PTB only updates it can read."""

    async def post(self, url: str, request_data: RequestData | None = None, **timeouts: Any) -> Any:
        result = await super().post(url, request_data, **timeouts)
        if url.endswith("/getUpdates") and isinstance(result, list):
            return readable_updates(result)
        return result
