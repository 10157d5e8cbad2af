"""`PttTrace`: every step of one hotkey dictation, from the key press to the paste, with
its time since the press, logged as it happens ("ptt #3 +1234 ms: served"). When a
dictation ends without its text in the target, the whole trace is logged again as one
warning, so a failure explains itself from the log alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("scribe_desktop.ptt")


class PttTrace:
    def __init__(self, number: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.number = number
        self.clock = clock
        self.t0 = clock()
        self.steps: list[tuple[float, str]] = []

    def step(self, what: str) -> None:
        elapsed_ms = (self.clock() - self.t0) * 1000
        self.steps.append((elapsed_ms, what))
        log.info("ptt #%d +%.0f ms: %s", self.number, elapsed_ms, what)

    def text(self) -> str:
        return "\n".join(f"  +{ms:7.0f} ms  {what}" for ms, what in self.steps)

    def explain(self, outcome: str) -> None:
        """Log the whole trace as one warning (an outcome the user did not want)."""
        log.warning("ptt #%d ended: %s; its steps:\n%s", self.number, outcome, self.text())
