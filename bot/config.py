"""Settings from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///backcoach.sqlite3"
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"

# What each setting means and how to fix it; used for the one-line start-up error.
SETTING_HELP: dict[str, str] = {
    "TELEGRAM_BOT_TOKEN": "the token @BotFather gave you, e.g. 123456:ABC-DEF",
    "DATABASE_URL": "e.g. sqlite+aiosqlite:///backcoach.sqlite3 or postgresql://user:pw@host/db",
    "TELEGRAM_API_BASE_URL": "an http(s) URL ending in /bot, e.g. https://api.telegram.org/bot",
    "HOLD_TIME_SCALE": "a number above 0 and at most 1, e.g. 1.0 (0.05 makes a 30 s hold 1.5 s)",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "REMINDER_TICK_SECONDS": "seconds between checks for due reminders, e.g. 20",
    "REMINDER_GRACE_MINUTES": "minutes a late reminder is still worth sending, e.g. 120",
    "REMINDERS_PER_SECOND": "reminders sent per second at most, e.g. 30 (Telegram allows ~30)",
    "RENDER_WORKERS": "processes that draw pictures and PDFs, e.g. 2",
    "REMINDER_CLAIM_LEASE_SECONDS": "seconds before a reminder lost in a crash is resent, e.g. 300",
    "PAID_BROADCAST_AFTER_MINUTES": "minutes late after which a reminder goes as a paid broadcast "
    "(0.1 Telegram Stars each), e.g. 2; empty: never",
    "DATABASE_POOL_SIZE": "PostgreSQL connections this process keeps at most, 1-100, e.g. 10",
    "DATABASE_POOL_TIMEOUT": "seconds a query waits for a free connection, e.g. 10",
    "HTTP_CLIENT": "the HTTP client under python-telegram-bot: aiohttp (default) or httpx",
    "WEBHOOK_LISTEN": "the address the webhook server binds, e.g. 0.0.0.0",
    "PORT": "the port the webhook server listens on, 1-65535, e.g. 8080",
    "WEBHOOK_PATH": "the path Telegram posts to, letters, digits, _ - and /, e.g. telegram",
    "WEBHOOK_URL": "the public https URL Telegram should call, path included, "
    "e.g. https://backcoach.example.com/telegram",
    "MINI_APP_URL": "the public https URL of the timer page, "
    "e.g. https://backcoach.example.com/miniapp/",
    "MINI_APP_PORT": "polling mode: the port the timer page is served on, 1-65535, e.g. 8081",
    "WEBHOOK_SECRET": "1-256 characters of A-Z a-z 0-9 _ -, e.g. made by "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
}

# Telegram's rule for the secret_token of setWebhook.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# WEBHOOK_PATH becomes part of a tornado route (a regular expression): plain segments only.
WEBHOOK_PATH_PATTERN = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
# Served beside the webhook by `python -m bot --webhook` (see bot/webhook.py).
HEALTH_PATH = "healthz"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL only: the most connections at once, and how long a query waits for one
    # before the person is told the bot is busy.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    database_pool_timeout: float = Field(default=10, gt=0, le=300)
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    hold_time_scale: float = Field(default=1.0, gt=0, le=1)
    log_level: str = "INFO"
    # One repeating tick claims every due reminder; no job per person.
    reminder_tick_seconds: float = Field(default=20, gt=0, le=300)
    # After downtime, reminders this late are still sent; older ones are logged as missed.
    reminder_grace_minutes: int = Field(default=120, ge=0, le=24 * 60)
    # A ceiling: reminders take the slots of Telegram's ~30 messages/s that replies to people
    # and holds leave (bot/ratelimit.py), up to this rate.
    reminders_per_second: float = Field(default=30, gt=0, le=10_000)
    # Drawing runs in worker processes, so a PDF never holds up anyone's reply.
    render_workers: int = Field(default=2, ge=1, le=16)
    # A reminder claimed by a process that died before sending it is sent again after this.
    reminder_claim_lease_seconds: float = Field(default=300, gt=0, le=3600)
    # A reminder that would go out more than this many minutes after its due instant is sent
    # as a paid broadcast (allow_paid_broadcast: past the 30 messages/s, up to 1,000/s, for
    # 0.1 Telegram Stars each from the bot's balance). None: never.
    paid_broadcast_after_minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    # The HTTP client under PTB (bot/transport.py): aiohttp costs a quarter of httpx's CPU
    # per request; httpx is PTB's own, kept as a fallback.
    http_client: Literal["aiohttp", "httpx"] = "aiohttp"
    # Webhook mode (`python -m bot --webhook`) only; polling ignores these.
    webhook_listen: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)  # many platforms set PORT
    webhook_path: str = "telegram"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # The Mini App timer (bot/miniapp/): its public https address; unset, nothing changes.
    mini_app_url: str | None = None
    # Polling mode only: the timer's own small server (webhook mode serves it beside updates).
    mini_app_port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("mini_app_url")
    @classmethod
    def _mini_app_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        # Telegram opens only https pages in a Mini App (a web_app button refuses others).
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("not an https URL")
        return value

    @field_validator("mini_app_port", "paid_broadcast_after_minutes", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """An empty MINI_APP_PORT= or PAID_BROADCAST_AFTER_MINUTES= (as .env.example has
        them) means unset: not served, never paid."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("http_client", mode="before")
    @classmethod
    def _client_name(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("webhook_listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty address")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _webhook_path(cls, value: str) -> str:
        value = value.strip().strip("/")
        if not WEBHOOK_PATH_PATTERN.fullmatch(value):
            raise ValueError("not a plain URL path")
        if value == HEALTH_PATH:
            raise ValueError(f"/{HEALTH_PATH} is the health check")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        # Telegram's own servers only call https URLs; a local Bot API server (or the
        # emulator) also calls plain http, so that is allowed when the API is elsewhere.
        official = info.data.get("telegram_api_base_url") == TELEGRAM_API_BASE_URL
        if official and parts.scheme != "https":
            raise ValueError("Telegram only calls https URLs")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        secret = value.get_secret_value().strip()
        # Fixed wording: the message must never carry (part of) the secret.
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ValueError("wrong length or characters")
        return SecretStr(secret)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Point plain PostgreSQL and SQLite URLs at the async drivers we ship."""
        value = value.strip()
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported database URL")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("unknown log level")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("not a bot token")
        return SecretStr(token)

    @property
    def base_file_url(self) -> str:
        """The file URL that goes with the API URL (".../bot" -> ".../file/bot")."""
        head, sep, _ = self.telegram_api_base_url.rpartition("/bot")
        return f"{head}/file/bot" if sep else self.telegram_api_base_url

    @property
    def token(self) -> str:
        """The token, or SettingsError naming the setting when it is missing."""
        if self.telegram_bot_token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: put "
                + SETTING_HELP["TELEGRAM_BOT_TOKEN"]
                + " in .env or the environment (or run `python -m bot demo`, which needs none)"
            )
        return self.telegram_bot_token.get_secret_value()

    def require_webhook(self) -> tuple[str, str]:
        """(WEBHOOK_URL, WEBHOOK_SECRET) for webhook mode; SettingsError names a missing one."""
        for name, value in (
            ("WEBHOOK_URL", self.webhook_url),
            ("WEBHOOK_SECRET", self.webhook_secret),
        ):
            if value is None:
                raise SettingsError(
                    f"{name} is not set (needed by `python -m bot --webhook`): put "
                    + SETTING_HELP[name]
                    + " in .env or the environment"
                )
        assert self.webhook_url is not None and self.webhook_secret is not None
        return self.webhook_url, self.webhook_secret.get_secret_value()

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)


def load_settings(env_file: Path | None = Path(".env"), **overrides: object) -> Settings:
    """Read and validate settings, turning any problem into one SettingsError line."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "a setting"
        # Never echo the bad value: it might be the token.
        hint = SETTING_HELP.get(name, "see .env.example")
        raise SettingsError(f"{name} is not valid ({error['msg']}): expected {hint}") from None
