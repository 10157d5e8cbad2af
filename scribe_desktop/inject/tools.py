"""Command-line tools run as asyncio subprocesses (xdotool, xclip, wl-copy, wtype, ...)."""

from __future__ import annotations

import asyncio
import contextlib

TOOL_TIMEOUT_S = 5.0


class ToolError(RuntimeError):
    """A tool failed or is missing; the message names it."""


async def run_tool(*args: str, stdin: bytes | None = None,
                   timeout_s: float = TOOL_TIMEOUT_S) -> tuple[int, bytes, bytes]:
    """Run a tool; (returncode, stdout, stderr). Raises ToolError if missing or hung."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.PIPE if stdin is not None else
            asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise ToolError(f"{args[0]} is not installed") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise ToolError(f"{args[0]} did not finish within {timeout_s:g} s") from None
    return proc.returncode or 0, out, err


async def check_tool(*args: str, stdin: bytes | None = None,
                     timeout_s: float = TOOL_TIMEOUT_S) -> bytes:
    """Run a tool that must succeed; its stdout. Raises ToolError naming the failure."""
    rc, out, err = await run_tool(*args, stdin=stdin, timeout_s=timeout_s)
    if rc != 0:
        detail = err.decode("utf-8", "replace").strip() or f"exit code {rc}"
        raise ToolError(f"{args[0]} {args[1] if len(args) > 1 else ''} failed: {detail}")
    return out


class OneShotOffer:
    """Our text on the clipboard until ONE paste fetched it: a clipboard tool process that
    serves a single request and exits (`xclip -l 1`, `wl-copy --paste-once`). Its exit is how
    we know the paste landed, so the previous clipboard is restored after it, never after a
    blind fixed delay (Handy #502)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc

    async def served(self, timeout_s: float) -> bool:
        """Wait until the target fetched the text (the tool exits after serving it)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._proc.wait()), timeout_s)
        except TimeoutError:
            return False
        return self._proc.returncode == 0

    async def withdraw(self) -> None:
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.terminate()
            await self._proc.wait()
