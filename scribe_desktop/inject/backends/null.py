"""The backend of last resort: no way to insert here. Every insertion raises
`InsertUnavailableError` with the status message (what is missing), so callers never test
for None and the user learns why."""

from __future__ import annotations

from .base import ClipboardContent, InsertUnavailableError, PasteOffer, Target


class NullDesktop:
    """A `Desktop` that cannot send keys; `reason` names what is missing."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def focused(self) -> Target:
        return Target(None)

    async def activate(self, target: Target) -> bool:
        return True

    async def paste(self, target: Target) -> None:
        raise InsertUnavailableError(self.reason)

    async def type_text(self, text: str) -> None:
        raise InsertUnavailableError(self.reason)

    async def backspace(self, count: int) -> None:
        raise InsertUnavailableError(self.reason)


class NullClipboard:
    """A `Clipboard` that holds nothing."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def read(self) -> ClipboardContent | None:
        return None

    async def offer(self, text: str) -> PasteOffer:
        raise InsertUnavailableError(self.reason)

    async def write(self, content: ClipboardContent | None) -> None:
        raise InsertUnavailableError(self.reason)
