"""Privacy on real speech: espeak-ng into the real `DictationWorker`, the real local server
finding and redacting a spoken phone number; the window's segments, the history database and
an export hold only the placeholder. Private mode leaves no history, audio or export file.

pocketsphinx decodes a ten-digit number spoken digit by digit reliably (measured), so that
is the entity spoken here; the text-level ordering cases are in tests/test_transcript_redaction.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.export.formats import ExportFormat, render
from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.chord import parse_chord
from scribe_desktop.hotkey.interpreter import HotkeyConfig, HotkeyMode
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.push_to_talk.controller import PushToTalk
from scribe_desktop.qt.settings import EntityKinds, Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from tests.app.fakes import FakeMicrophone
from tests.app.recorder import Recorder
from tests.app.server_rig import worker_on_real_server
from tests.inject.memory_desktop import MemoryDesktop
from tests.speech import pcm16, synth

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SAID = "please call me at five five five one two three four five six nine"
DIGITS = "one two three four"  # what must never be kept once redacted
PLACEHOLDER = "{CONTACT_NUMBER_1}"
BASE = Settings(commit_strategy=CommitStrategy.MANUAL, language="en")


def speech(text: str) -> bytes:
    silence = bytes(int(0.6 * 16000) * 2)
    return silence + pcm16(synth(text)) + silence


async def dictate(worker: DictationWorker, mic: FakeMicrophone, rec: Recorder,
                  audio: bytes) -> None:
    """One push-to-talk dictation: press, speak, release, wait until it has ended."""
    worker.start_push_to_talk()
    await rec.wait_for(lambda: worker.state == DictationState.LISTENING, 20, "listening")
    await mic.play(audio)
    task = worker.stop()
    assert task is not None
    await asyncio.wait_for(task, 30)
    await rec.wait_for(lambda: worker.state == DictationState.IDLE, 20, "idle")


@pytest.fixture
async def rig(local_server: Any, tmp_path: Path) -> Any:
    async with worker_on_real_server(local_server, tmp_path / "history.sqlite3",
                                     BASE) as parts:
        yield parts


def stored_bytes(folder: Path) -> bytes:
    """Everything the history wrote to disk (database, journal, kept audio)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


async def test_unredacted_speech_is_heard_as_the_number(rig: Any) -> None:
    """Without redaction the engine hears the ten spoken digits (the premise of the test)."""
    worker, mic, rec, _ = rig
    await dictate(worker, mic, rec, speech(SAID))
    text = " ".join(s.text for s in rec.segments)
    assert "five five five one two three four five six nine" in text, text


async def test_a_spoken_phone_number_is_kept_only_redacted(rig: Any, tmp_path: Path) -> None:
    """The window, the history on disk and every export hold the placeholder, never the digits."""
    worker, mic, rec, history = rig
    live_export = tmp_path / "captions.srt"
    await worker.apply_settings(dataclasses.replace(
        BASE, redact_entities=True, redact_kinds=EntityKinds.ALL,
        live_export_path=str(live_export)))
    await dictate(worker, mic, rec, speech(SAID))
    assert not rec.errors, rec.errors
    shown = [s.text for s in rec.events["segment_committed"]]
    shown += [w.text for s in rec.events["segment_enriched"] for w in s.words or ()]
    assert any(PLACEHOLDER in t for t in shown), shown
    assert not any(DIGITS in t or "nine" in t.split() for t in shown), shown
    assert PLACEHOLDER in worker.dictation.document.text

    await asyncio.wait_for(worker.journal.drain(), 10)
    (summary,) = history.list_sessions()
    session = history.load(summary.id)
    (segment,) = session.segments
    assert PLACEHOLDER in segment.text and DIGITS not in segment.text
    assert segment.shaped is None or DIGITS not in segment.shaped
    for fmt in ExportFormat:
        exported = render(session, fmt).text
        assert PLACEHOLDER in exported and DIGITS not in exported, (fmt, exported)
    assert DIGITS.encode() not in stored_bytes(tmp_path), "the history keeps the raw digits"
    assert PLACEHOLDER in live_export.read_text()
    assert DIGITS not in live_export.read_text()


async def test_private_mode_keeps_no_history_audio_or_live_export(rig: Any,
                                                                  tmp_path: Path) -> None:
    """A private dictation shows its text but leaves no history row, audio or export file."""
    worker, mic, rec, history = rig
    live_export = tmp_path / "captions.txt"
    await worker.apply_settings(dataclasses.replace(
        BASE, private_mode=True, keep_session_audio=True, live_export_path=str(live_export)))
    await dictate(worker, mic, rec, speech("turn off the music in the living room"))
    assert rec.segments and not rec.errors, rec.errors
    await asyncio.wait_for(worker.journal.drain(), 10)
    assert history.list_sessions() == []
    assert not history.audio_dir.exists() or not any(history.audio_dir.iterdir())
    assert not live_export.exists()
    assert b"music" not in stored_bytes(tmp_path)


async def test_push_to_talk_types_only_the_redacted_number(rig: Any) -> None:
    """Held hotkey, spoken number, release: the focused field receives the placeholder."""
    worker, mic, rec, _ = rig
    await worker.apply_settings(dataclasses.replace(BASE, redact_entities=True))
    desktop = MemoryDesktop()
    desktop.open(7)  # the focused text field
    config = HotkeyConfig(chord=parse_chord("f9"), mode=HotkeyMode.HOLD,
                          cancel=parse_chord("esc"), undo=parse_chord("f10"))
    ptt = PushToTalk(worker, Inserter(desktop, desktop.clipboard, mode=InsertMode.TYPE), config)
    ptt.start()
    try:
        ptt.on_key(KeyEvent("f9", True, time.monotonic()))
        await rec.wait_for(lambda: worker.state == DictationState.LISTENING, 20, "listening")
        await mic.play(speech(SAID))
        ptt.on_key(KeyEvent("f9", False, time.monotonic()))
        await rec.wait_for(lambda: worker.state == DictationState.IDLE, 30, "idle")
        await ptt._tasks.settle()
    finally:
        await ptt.close()
    assert PLACEHOLDER in desktop.typed, desktop.typed
    assert DIGITS not in desktop.typed and "nine" not in desktop.typed.split(), desktop.typed


async def test_a_transcribed_file_is_kept_only_redacted(rig: Any, tmp_path: Path) -> None:
    """File → Transcribe with redaction on: the tab's segments and History hold the placeholder."""
    worker, _, rec, history = rig
    await worker.apply_settings(dataclasses.replace(BASE, redact_entities=True))
    path = synth(SAID, lead_silence_s=0.3, tail_silence_s=0.5)
    segments = await asyncio.wait_for(worker.transcribe_file(str(path)), 60)
    assert not rec.errors, rec.errors
    text = " ".join(s.text for s in segments)
    assert PLACEHOLDER in text and DIGITS not in text, text
    await asyncio.wait_for(worker.journal.drain(), 10)
    (summary,) = history.list_sessions()
    stored = history.load(summary.id)
    assert PLACEHOLDER in stored.text and DIGITS not in stored.text, stored.text
    assert DIGITS.encode() not in stored_bytes(tmp_path)


async def test_a_private_file_transcription_leaves_no_history(rig: Any) -> None:
    """File → Transcribe in private mode shows the text and records no History entry."""
    worker, _, _, history = rig
    await worker.apply_settings(dataclasses.replace(BASE, private_mode=True))
    path = synth("turn off the music in the living room", lead_silence_s=0.3,
                 tail_silence_s=0.5)
    segments = await asyncio.wait_for(worker.transcribe_file(str(path)), 60)
    assert segments
    await asyncio.wait_for(worker.journal.drain(), 10)
    assert history.list_sessions() == []
