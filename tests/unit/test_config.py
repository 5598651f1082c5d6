"""Settings: defaults, URL rewriting, and one clear line for anything wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, SettingsError, load_settings

TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
SECRET = "Hook_Secret-0123456789abcdef"
WEBHOOK_SETTINGS = ("WEBHOOK_LISTEN", "PORT", "WEBHOOK_PATH", "WEBHOOK_URL", "WEBHOOK_SECRET")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "DATABASE_URL",
        "TELEGRAM_API_BASE_URL",
        "HOLD_TIME_SCALE",
        "LOG_LEVEL",
        *WEBHOOK_SETTINGS,
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = load_settings(env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.hold_time_scale == 1.0
    assert settings.log_level == "INFO"
    assert (settings.webhook_listen, settings.port, settings.webhook_path) == (
        "0.0.0.0",
        8080,
        "telegram",
    )
    assert settings.webhook_url is None and settings.webhook_secret is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/x", "postgresql+asyncpg://u:p@db/x"),
        ("postgresql://u:p@db/x", "postgresql+asyncpg://u:p@db/x"),
        ("sqlite:///data.db", "sqlite+aiosqlite:///data.db"),
        ("sqlite+aiosqlite:///data.db", "sqlite+aiosqlite:///data.db"),
    ],
)
def test_database_url_gets_async_driver(given: str, expected: str) -> None:
    assert load_settings(env_file=None, database_url=given).database_url == expected


def test_environment_and_base_file_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("HOLD_TIME_SCALE", "0.05")
    settings = load_settings(env_file=None)
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.hold_time_scale == 0.05


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOLD_TIME_SCALE", "fast"),
        ("HOLD_TIME_SCALE", "0"),
        ("DATABASE_URL", "mysql://x"),
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_BASE_URL", "ftp://x"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("PORT", "0"),
        ("PORT", "http"),
        ("WEBHOOK_PATH", "tele gram"),
        ("WEBHOOK_PATH", "/healthz/"),
        ("WEBHOOK_URL", "ftp://bot.example.com/telegram"),
        # Telegram's servers only call https.
        ("WEBHOOK_URL", "http://bot.example.com/telegram"),
        ("WEBHOOK_SECRET", "has spaces and $ymbols"),
        ("WEBHOOK_SECRET", "x" * 257),
    ],
)
def test_malformed_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert message.startswith(name) and "\n" not in message
    if name in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"):
        assert value not in message


def test_missing_token_is_one_clear_line() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        _ = load_settings(env_file=None).token


def test_token_is_never_shown() -> None:
    settings = load_settings(env_file=None, telegram_bot_token=TOKEN)
    assert settings.token == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_webhook_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "10000")
    monkeypatch.setenv("WEBHOOK_PATH", "/hooks/telegram/")
    monkeypatch.setenv("WEBHOOK_URL", " https://bot.example.com/hooks/telegram ")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    settings = load_settings(env_file=None)
    assert (settings.port, settings.webhook_path) == (10000, "hooks/telegram")
    assert settings.require_webhook() == ("https://bot.example.com/hooks/telegram", SECRET)
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


def test_plain_http_webhook_is_fine_for_a_local_bot_api_server() -> None:
    settings = load_settings(
        env_file=None,
        telegram_api_base_url="http://127.0.0.1:8081/bot",
        webhook_url="http://127.0.0.1:8080/telegram",
        webhook_secret=SECRET,
    )
    assert settings.require_webhook()[0] == "http://127.0.0.1:8080/telegram"


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "WEBHOOK_URL"),
        ({"webhook_secret": SECRET}, "WEBHOOK_URL"),
        ({"webhook_url": "https://bot.example.com/telegram"}, "WEBHOOK_SECRET"),
        (
            {"webhook_url": "https://bot.example.com/telegram", "webhook_secret": " "},
            "WEBHOOK_SECRET",
        ),
    ],
)
def test_webhook_mode_names_the_missing_setting(given: dict[str, str], missing: str) -> None:
    settings = load_settings(env_file=None, **given)
    with pytest.raises(SettingsError) as caught:
        settings.require_webhook()
    message = str(caught.value)
    assert message.startswith(f"{missing} is not set") and "\n" not in message
    assert SECRET not in message


def _run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    hidden = ("TELEGRAM_BOT_TOKEN", *WEBHOOK_SETTINGS)
    environment = {k: v for k, v in os.environ.items() if k not in hidden}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,  # no .env there
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_without_token_prints_one_line_and_fails(tmp_path: Path) -> None:
    result = _run_cli(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN is not set" in lines[0] and "BotFather" in lines[0]


def test_cli_with_malformed_setting_prints_one_line(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, HOLD_TIME_SCALE="soon", TELEGRAM_BOT_TOKEN=TOKEN)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcoach: HOLD_TIME_SCALE"), result.stderr


def test_cli_webhook_without_url_names_it(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--webhook", TELEGRAM_BOT_TOKEN=TOKEN, WEBHOOK_SECRET=SECRET)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcoach: WEBHOOK_URL is not set"), lines
    assert SECRET not in result.stderr + result.stdout


def test_cli_webhook_with_malformed_secret_never_echoes_it(tmp_path: Path) -> None:
    secret = "almost-right but with spaces"
    result = _run_cli(
        tmp_path,
        "--webhook",
        TELEGRAM_BOT_TOKEN=TOKEN,
        WEBHOOK_URL="https://bot.example.com/telegram",
        WEBHOOK_SECRET=secret,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backcoach: WEBHOOK_SECRET"), lines
    assert "almost-right" not in result.stderr + result.stdout


def test_mini_app_settings() -> None:
    """MINI_APP_URL must be https (Telegram opens nothing else); empty values mean none."""
    assert load_settings(env_file=None).mini_app_url is None
    given = load_settings(
        env_file=None, mini_app_url=" https://bot.example/miniapp/ ", mini_app_port="8081"
    )
    assert (given.mini_app_url, given.mini_app_port) == ("https://bot.example/miniapp/", 8081)
    empty = load_settings(env_file=None, mini_app_url="", mini_app_port="")
    assert (empty.mini_app_url, empty.mini_app_port) == (None, None)
    for url in ("http://bot.example/miniapp/", "bot.example/miniapp/", "https://"):
        with pytest.raises(SettingsError, match="MINI_APP_URL"):
            load_settings(env_file=None, mini_app_url=url)
    with pytest.raises(SettingsError, match="MINI_APP_PORT"):
        load_settings(env_file=None, mini_app_port="70000")


def test_paid_broadcasts_are_off_unless_set() -> None:
    assert load_settings(env_file=None).paid_broadcast_after_minutes is None
    assert (
        load_settings(env_file=None, paid_broadcast_after_minutes="").paid_broadcast_after_minutes
        is None
    )
    assert (
        load_settings(env_file=None, paid_broadcast_after_minutes="2").paid_broadcast_after_minutes
        == 2.0
    )
    for bad in ("0", "-1", "soon"):
        with pytest.raises(SettingsError, match="PAID_BROADCAST_AFTER_MINUTES"):
            load_settings(env_file=None, paid_broadcast_after_minutes=bad)
