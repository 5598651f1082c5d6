"""Benchmarks for backcoach: figures, not tests. Run them with `python -m bench`.

The bot under test always runs in its own process (`bench.botproc`), long-polling a Bot API
emulator that lives in the benchmark's process together with the scripted users, the way
Telegram lives on other machines than the bot. Figures come from the emulator's request log
(arrival timestamps on the system-wide monotonic clock) and from what the bot process reports
about itself when it stops.
"""
