"""Insertion into a Tk text field of another process on real X11 (Xvfb + openbox)."""

from __future__ import annotations

import asyncio

import pytest

from scribe_desktop.inject.inserter import Inserter, InsertMode
from tests.inject.x11_rig import TargetApp, X11Desktop

pytestmark = pytest.mark.timeout(60)
EXACT = "café €5 naïve"


async def test_paste_is_exact_and_restores_the_clipboard(desktop: X11Desktop,
                                                         target: TargetApp) -> None:
    """Non-ASCII text pastes exactly and the previous clipboard comes back."""
    desktop.set_clipboard("the user's clipboard")
    inserter = Inserter(mode=InsertMode.PASTE, smart=False)
    record = inserter.begin(await inserter.capture_target())
    assert record.target.window == target.window
    assert await inserter.insert(record, EXACT) == EXACT
    await asyncio.to_thread(target.wait_text, lambda t: t == EXACT, 5, "the pasted text")
    assert record.pasted_ok and record.restored
    assert desktop.clipboard() == "the user's clipboard"


async def test_type_mode_is_unicode_safe(desktop: X11Desktop, target: TargetApp) -> None:
    """Type mode types ASCII and pastes the rest: the text arrives exactly."""
    inserter = Inserter(mode=InsertMode.TYPE, smart=False)
    record = inserter.begin(await inserter.capture_target())
    await inserter.insert(record, EXACT)
    await asyncio.to_thread(target.wait_text, lambda t: t == EXACT, 5, "the typed text")


async def test_smart_join_and_undo(desktop: X11Desktop, target: TargetApp) -> None:
    """Consecutive dictations are spaced and capitalised; undo removes exactly the last."""
    inserter = Inserter(mode=InsertMode.PASTE)
    first = inserter.begin(await inserter.capture_target())
    await inserter.insert(first, "hello there.")
    second = inserter.begin(await inserter.capture_target())
    await inserter.insert(second, "general kenobi")
    expected = "Hello there. General kenobi"
    await asyncio.to_thread(target.wait_text, lambda t: t == expected, 5, "both dictations")
    notice = await inserter.undo_last()
    assert "15 characters" in notice
    await asyncio.to_thread(target.wait_text, lambda t: t == "Hello there.", 5, "the undo")
    assert "Pasted" in await inserter.paste_last()
    await asyncio.to_thread(target.wait_text, lambda t: t == expected, 5, "paste last")


async def test_copy_mode_only_copies(desktop: X11Desktop, target: TargetApp) -> None:
    """Copy mode leaves the field alone and the text on the clipboard."""
    inserter = Inserter(mode=InsertMode.COPY, smart=False)
    record = inserter.begin(await inserter.capture_target())
    await inserter.insert(record, EXACT)
    assert desktop.clipboard() == EXACT and target.text == ""
