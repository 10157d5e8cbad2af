"""Rate-limited logging of repeated warnings and errors.

A failure that repeats in a tight loop must not flood the log: out of files, asyncio logged
every failed accept() with its traceback, some 24,000 records (240,000 lines) in ten seconds.
`RepeatFilter` lets the first record of a kind through, then at most one per interval,
carrying the number of records of that kind it suppressed meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_INTERVAL_S = 10.0


@dataclass(slots=True)
class _Window:
    opened: float
    suppressed: int = 0
    last: str = ""  # the first line of the last record suppressed


AGGREGATED = {"aggregated": True}  # `extra=` of a record that already counts its repeats


class RepeatFilter(logging.Filter):
    """A handler filter for records of `min_level` and above; lower levels always pass.

    Records are of one kind when logger, level, the first line of the message template and
    the exception type agree (asyncio's messages embed reprs, but their first line is
    stable). Only the first record of a kind keeps its traceback: repeats are one line each.
    A count still held when the process ends is logged by `flush()`. Records logged with
    `extra=AGGREGATED` count their repeats themselves and always pass.
    """

    def __init__(self, interval_s: float = DEFAULT_INTERVAL_S, *,
                 min_level: int = logging.WARNING,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.min_level = min_level
        self._clock = clock
        self._windows: dict[tuple[str, int, str, str], _Window] = {}
        self._seen: set[tuple[str, int, str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.min_level or getattr(record, "aggregated", False):
            return True
        key = _kind(record)
        now = self._clock()
        window = self._windows.get(key)
        if window is not None and now - window.opened < self.interval_s:
            window.suppressed += 1
            window.last = record.getMessage().split("\n", 1)[0]
            return False
        suppressed = window.suppressed if window is not None else 0
        self._windows[key] = _Window(now)
        if key in self._seen:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        self._seen.add(key)
        if suppressed:
            text = record.getMessage().split("\n", 1)[0]
            record.msg = (f"{text} [{suppressed} more like this suppressed in the last "
                          f"{self.interval_s:g} s]")
            record.args = None
        return True

    def flush(self, logger: logging.Logger) -> None:
        """Log the counts of suppressed records that no later record has reported."""
        for (name, level, _, _), window in list(self._windows.items()):
            if window.suppressed:
                logger.log(level, "%s: %s [%d more like this suppressed]", name, window.last,
                           window.suppressed)
                window.suppressed = 0


def _kind(record: logging.LogRecord) -> tuple[str, int, str, str]:
    template = str(record.msg).split("\n", 1)[0][:200]
    exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
    return record.name, record.levelno, template, exc_type
