# backcoach: the bot in a small image. Build: docker build -t backcoach .
# Run with compose (bot + PostgreSQL 16): see compose.yaml and the README's "Containers".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Without a DATABASE_URL the bot keeps a SQLite file in /data (a volume); compose sets
    # PostgreSQL instead.
    DATABASE_URL=sqlite+aiosqlite:////data/backcoach.sqlite3

WORKDIR /app

# The bot runs as this user, never as root; /data is the only place it writes.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin backcoach \
    && mkdir /data && chown backcoach:backcoach /data

# Only what the bot needs at run time (.dockerignore keeps tests, docs and secrets out). The
# source stays in /app: `python -m bot` runs from here and finds alembic/ next to it.
COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY catalog ./catalog
COPY bot ./bot
# The same install command as the README's "Run it for real": no dev tools in the image.
RUN pip install ".[postgres]"

USER backcoach
VOLUME ["/data"]
# Webhook mode (WEBHOOK_URL set) publishes PORT with GET /healthz.
EXPOSE 8080

# Polling: the database answers; webhook mode: GET /healthz on PORT answers 200.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# Long polling, one process (a second one polling the same token gets 409 Conflict).
# For webhooks: docker run ... backcoach python -m bot --webhook
CMD ["python", "-m", "bot"]
