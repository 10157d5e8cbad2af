"""Spoken commands on real speech: espeak-ng played into the real `DictationWorker` as a
push-to-talk dictation, the real local server decoding it, the window's segments and the
history checked.

Designed around what the offline engine can and cannot do (measured; see the README's
"Text shaping"): it decodes "new paragraph", "new line" and "scratch that" reliably and
reports the pauses around them in its word timings, so those are the commands checked here;
it does not decode "period" ("feeling of") or "comma" ("comet"), and it writes no
punctuation, so punctuation commands and engine punctuation are covered by the unit tests on
Whisper-style text instead. Each check first asserts that the engine heard the words (a
recognition failure fails loudly as such, never as a shaping pass), and sentences are
compared by word error rate, not exact text.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import Segment
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from tests.app.fakes import FakeMicrophone
from tests.app.recorder import Recorder
from tests.app.server_rig import worker_on_real_server
from tests.speech import pcm16, synth, wer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "dictation-16k.wav"
PAUSE_S = 0.8  # a deliberate pause, as a user makes before and after a command
FIRST, SECOND = "turn off the music in the living room", "please call me back tomorrow morning"
# Fluent sentences with command words that the engine decodes (measured); "we need a new
# line of products" comes back as "new light on", so it cannot test anything here.
FLUENT = {"i wrote it in all caps": "all caps", "a question mark at the end": "question mark",
          "please scratch that from the list": "scratch that",
          "start a new paragraph in the letter": "new paragraph"}


def speech(*parts: str) -> bytes:
    """The parts spoken one after the other with a pause between them."""
    silence = bytes(int(PAUSE_S * 16000) * 2)
    return silence + silence.join(pcm16(synth(p)) for p in parts) + silence


async def dictate(worker: DictationWorker, mic: FakeMicrophone, rec: Recorder,
                  audio: bytes) -> None:
    """One push-to-talk dictation: press, speak, release, wait for the word timings."""
    enriched = len(rec.events["segment_enriched"])
    worker.start_push_to_talk()
    await rec.wait_for(lambda: worker.state == DictationState.LISTENING, 20, "listening")
    await mic.play(audio)
    task = worker.stop()
    assert task is not None
    await asyncio.wait_for(task, 30)
    await rec.wait_for(lambda: len(rec.events["segment_enriched"]) > enriched, 20,
                       "the timed commit")


@pytest.fixture
async def rig(local_server: Any, tmp_path: Path) -> Any:
    settings = Settings(commit_strategy=CommitStrategy.MANUAL, language="en")
    async with worker_on_real_server(local_server, tmp_path / "history.sqlite3",
                                     settings) as parts:
        yield parts


def shown(rec: Recorder) -> dict[int, str | None]:
    """Each segment's shaped text as the window shows it now (committed, then updates)."""
    out: dict[int, str | None] = {}
    for segment in rec.events["segment_committed"] + rec.events["segment_enriched"]:
        out[segment.index] = segment.shaped
    return out


async def test_paused_commands_shape_real_speech_and_the_history_keeps_both(rig: Any) -> None:
    """"new paragraph" and "scratch that" said after pauses are applied; raw text is kept."""
    worker, mic, rec, history = rig
    await dictate(worker, mic, rec, speech(FIRST, "new paragraph", SECOND))
    raw = rec.events["segment_enriched"][-1]
    assert "new paragraph" in raw.text, f"the engine did not hear the command: {raw.text!r}"
    paragraphs = shown(rec)[raw.index]
    assert paragraphs is not None and "paragraph" not in paragraphs
    first, _, second = paragraphs.partition("\n\n")
    assert wer(FIRST, first) <= 0.35 and wer(SECOND, second) <= 0.35, paragraphs

    await dictate(worker, mic, rec, speech("scratch that"))
    scratch = rec.events["segment_enriched"][-1]
    assert scratch.text.strip() == "scratch that", scratch.text
    assert shown(rec)[scratch.index] == "" and shown(rec)[raw.index] == ""  # scratched
    assert worker.dictation.document.text == ""

    # each dictation's history keeps both texts (a closed one keeps its own shaped text)
    await asyncio.wait_for(worker.journal.drain(), 10)  # the writer thread has written
    first_session, second_session = (history.load(s.id)
                                     for s in reversed(history.list_sessions()))
    assert [(g.text, g.shaped) for g in first_session.segments] == [
        (raw.text.strip(), paragraphs)]
    assert [(g.text, g.shaped) for g in second_session.segments] == [("scratch that", "")]
    assert {first_session.meta.source, second_session.meta.source} == {"push_to_talk"}


@pytest.mark.parametrize(("sentence", "phrase"), sorted(FLUENT.items()))
async def test_command_words_in_fluent_real_speech_stay_text(rig: Any, sentence: str,
                                                             phrase: str) -> None:
    """Command words inside a fluently spoken sentence are text, even with the hotkey."""
    worker, mic, rec, _ = rig
    await dictate(worker, mic, rec, speech("open the door"))
    await dictate(worker, mic, rec, speech(sentence))
    segment = rec.events["segment_enriched"][-1]
    assert phrase in segment.text, f"the engine did not hear the words: {segment.text!r}"
    assert segment.words, "the server sent word timings"
    # exactly as heard (it continues "Open the door", so no capital either)
    assert shown(rec)[segment.index] == segment.text.strip()
    assert shown(rec)[0] == "Open the door"  # not scratched, not changed


async def test_a_transcribed_file_is_shaped_without_commands(rig: Any) -> None:
    """Files get the dictionary (and numbers) but never commands; history keeps both."""
    worker, _, rec, history = rig
    worker.apply_settings(Settings(commit_strategy=CommitStrategy.MANUAL, language="en",
                                   dictionary="kitchen lights,Kitchen Lights™\n"))
    job = worker.transcribe_file(str(SAMPLE))
    arrived: list[Segment] = []
    job.segment_added.connect(arrived.append)
    segments = await asyncio.wait_for(job, 60)
    raw = " ".join(s.text for s in segments)
    assert "kitchen lights" in raw, f"the engine did not hear the words: {raw!r}"
    assert "Kitchen Lights™" in " ".join(s.shaped or "" for s in segments)
    await asyncio.wait_for(worker.journal.drain(), 10)
    stored = history.load(history.list_sessions()[0].id)
    assert stored.meta.source == "file"
    assert [(g.text, g.shaped) for g in stored.segments] == [
        (s.text.strip(), s.shaped) for s in segments]
    # The file's tab shows the shaped segments as they arrive; the dictation pane none.
    # (their word times follow with the enrichment: rule C4)
    assert [(s.text, s.shaped) for s in arrived] == [(s.text, s.shaped) for s in segments]
    assert rec.segments == []
