"""What can be checked of the container set-up without a Docker daemon.

compose.yaml parses and names the bot and PostgreSQL 16 on a named volume, the bot waiting for
a healthy database; the Dockerfile is a slim Python image, runs as a non-root user with a
health check, and installs with the README's command; .env.example documents compose's
settings. `python -m bot healthcheck` (the image's check) is run for real.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        lines.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    return lines


def _instructions(name: str) -> list[str]:
    return [line[len(name) + 1 :] for line in _dockerfile() if line.upper().startswith(name + " ")]


def test_compose_runs_the_bot_after_a_healthy_postgres_16_on_a_named_volume() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"bot", "db"}
    db, bot = services["db"], services["bot"]
    assert re.fullmatch(r"postgres:16(\.\d+)?(-[a-z0-9]+)?", db["image"])
    volume, _, target = db["volumes"][0].partition(":")
    assert volume in compose["volumes"], "the database is on a named volume"
    assert target == "/var/lib/postgresql/data"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["build"] == "."
    assert bot["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "healthcheck"]
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert "restart" in bot and "restart" in db


def test_compose_settings_are_documented_in_env_example() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert used == {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert used <= documented
    assert _compose()["services"]["bot"]["env_file"] == ".env"


def test_dockerfile_is_slim_non_root_with_a_health_check() -> None:
    (base,) = _instructions("FROM")
    assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-[a-z]+)?", base)
    (user,) = _instructions("USER")
    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))
    lines = _dockerfile()
    user_at = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert all(not line.startswith("RUN ") for line in lines[user_at:]), "RUN after USER"
    (check,) = _instructions("HEALTHCHECK")
    assert check.endswith('CMD ["python", "-m", "bot", "healthcheck"]')
    (command,) = _instructions("CMD")
    assert command == '["python", "-m", "bot"]'


def test_image_installs_with_the_readme_command_and_no_dev_tools() -> None:
    installs = [run for run in _instructions("RUN") if "pip install" in run]
    assert len(installs) == 1
    command = installs[0][installs[0].index("pip install") :]
    assert command == 'pip install ".[postgres]"'
    assert "dev" not in command
    assert f"`{command}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_dockerfile_copies_what_exists_and_dockerignore_keeps_secrets_out() -> None:
    for copy in _instructions("COPY"):
        *sources, _target = copy.split()
        for source in sources:
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".env", ".git", ".venv", "*.sqlite3", "tests"):
        assert entry in ignored


def test_readme_says_polling_is_one_process() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "409 Conflict" in readme
    assert "webhook (or polling) processes" not in readme


def _healthcheck(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    hidden = {"DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "PORT", "TELEGRAM_BOT_TOKEN"}
    environment = {k: v for k, v in os.environ.items() if k not in hidden} | env
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "healthcheck"],
        cwd=tmp_path,  # no .env there
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_healthcheck_passes_while_the_database_answers(tmp_path: Path) -> None:
    result = _healthcheck(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("env", "said"),
    [
        # Nothing listens on port 1: PostgreSQL refuses; the password never shows.
        ({"DATABASE_URL": "postgresql://bot:s3cret@127.0.0.1:1/bot"}, "database does not answer"),
        (
            {"WEBHOOK_URL": "https://example.com/telegram", "WEBHOOK_SECRET": "x", "PORT": "1"},
            "http://127.0.0.1:1/healthz",
        ),
        # Docker reserves exit status 2: a malformed setting is unhealthy (1) here.
        ({"PORT": "nine"}, "PORT"),
    ],
    ids=["database-down", "webhook-not-listening", "bad-setting"],
)
def test_healthcheck_fails_in_one_line(tmp_path: Path, env: dict[str, str], said: str) -> None:
    result = _healthcheck(tmp_path, **env)
    assert result.returncode == 1
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "s3cret" not in result.stderr
