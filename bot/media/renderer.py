"""Drawing off the event loop: a small process pool, so rendering never delays a reply."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


def _ready() -> bool:
    return True


class Renderer:
    """Runs pure drawing functions in worker processes (matplotlib and fpdf2 hold the GIL)."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # "spawn" starts clean workers: forking a process with running threads is unsafe.
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """The function's result, computed in a worker process."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), partial(func, *args))

    async def warm_up(self) -> None:
        """Start the workers ahead of the first picture."""
        await asyncio.gather(*(self.run(_ready) for _ in range(self._workers)))

    def close(self) -> None:
        """Stop the workers; drawings still queued are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
