"""Webhook delivery: while a webhook is set, pending updates are POSTed to it, as Telegram does.

Each chat's updates go one at a time, in order; different chats go concurrently. A delivery
counts once the bot answers 2xx; anything else (or no answer) is retried after a short,
growing pause, blocking only that chat, and shows in getWebhookInfo's last_error_*. Tests
stay offline: only loopback URLs are ever called.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.emulator.state import EmulatorState, WebhookDelivery

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Update types Telegram only sends when allowed_updates names them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Pauses before each retry of a failed delivery (the last one repeats): small, for tests.
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.5, 1.0)
POST_TIMEOUT_SECONDS = 10.0


def is_loopback(url: str) -> bool:
    """True when `url` points at this machine (the only place the emulator will call)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def update_type(update: dict[str, Any]) -> str:
    """The kind of update: "message", "callback_query", ..."""
    return next(key for key in update if key != "update_id")


class WebhookPusher:
    """Delivers `state.pending` to `state.webhook["url"]` whenever one is set."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._client: httpx.AsyncClient | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._chats: dict[int, asyncio.Task[None]] = {}

    def start(self) -> None:
        """Start watching for a webhook and pending updates on the running loop."""
        # trust_env=False: no proxy from the environment may ever see a loopback call.
        self._client = httpx.AsyncClient(trust_env=False, timeout=POST_TIMEOUT_SECONDS)
        self._dispatcher = asyncio.create_task(self._dispatch(), name="emulator-webhook")

    async def stop(self) -> None:
        """Stop delivering; an update being POSTed stays pending."""
        tasks = [t for t in (self._dispatcher, *self._chats.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._dispatcher = None
        self._chats.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _dispatch(self) -> None:
        """Give every chat with pending updates one delivery task while a webhook is set."""
        while not self.state.closing:
            if self.state.webhook["url"]:
                for chat_id in dict.fromkeys(cid for cid, _ in self.state.pending):
                    task = self._chats.get(chat_id)
                    if task is None or task.done():
                        self._chats[chat_id] = asyncio.create_task(self._deliver_chat(chat_id))
            # No await between the check above and this wait, so no change can slip past.
            await self.state.changed(1.0)

    async def _deliver_chat(self, chat_id: int) -> None:
        failures = 0
        while not self.state.closing:
            url = self.state.webhook["url"]
            update = next((u for cid, u in self.state.pending if cid == chat_id), None)
            if not url or update is None:
                return
            if not self._allowed(update):
                self.state.confirm(update["update_id"])  # Telegram never sends it
                continue
            delivery = await self._post(url, chat_id, update)
            self.state.deliveries.append(delivery)
            if delivery.error is None:
                failures = 0
                self.state.confirm(update["update_id"])
                self.state.touch(chat_id)
                self.state.notify()
                continue
            self.state.webhook["last_error_date"] = int(self.state.clock())
            self.state.webhook["last_error_message"] = delivery.error
            self.state.notify()
            await asyncio.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
            failures += 1

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        if self.state.allowed_updates:
            return kind in self.state.allowed_updates
        return kind not in OPT_IN_UPDATES

    async def _post(self, url: str, chat_id: int, update: dict[str, Any]) -> WebhookDelivery:
        """One attempt; the error text follows Telegram's last_error_message wording."""
        delivery = WebhookDelivery(update["update_id"], chat_id, 0, time.monotonic())
        if not is_loopback(url):
            delivery.error = "the emulator delivers webhooks to loopback addresses only"
            return delivery
        headers = {}
        if self.state.webhook_secret is not None:
            headers[SECRET_HEADER] = self.state.webhook_secret
        assert self._client is not None
        try:
            # json= sends exactly "application/json", which PTB's webhook handler insists on.
            response = await self._client.post(url, json=update, headers=headers)
        except httpx.HTTPError as error:
            delivery.error = f"Connection failed: {type(error).__name__}"
            return delivery
        delivery.status = response.status_code
        if not response.is_success:
            delivery.error = (
                f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
            )
        return delivery
