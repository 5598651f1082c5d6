"""The media cache: Telegram file ids of rendered files, so each is uploaded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.storage._base import RepositoryBase
from bot.storage.models import MediaCache


class MediaMixin(RepositoryBase):
    """Telegram's file ids for rendered files."""

    async def cached_file_id(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(MediaCache, key)
            return row.file_id if row else None

    async def remember_file_id(self, key: str, file_id: str, now: datetime) -> None:
        """Keep Telegram's file_id for a rendered file; the first one stored wins."""
        try:
            async with self._writing() as session:
                if await session.get(MediaCache, key) is None:
                    session.add(MediaCache(key=key, file_id=file_id, created_at=now))
        except IntegrityError:
            pass  # another upload of the same file was stored first; either id works

    async def forget_file_id(self, key: str) -> None:
        """Telegram no longer knows this file_id: the next send uploads again."""
        async with self._writing() as session:
            row = await session.get(MediaCache, key)
            if row is not None:
                await session.delete(row)
