"""Stopping a dictation mid-word, with the server segmenting by VAD (the window's default).

The final commit is padded with the VAD silence + 0.3 s (rule C6). The server's VAD commits
inside that padding, vad_silence_threshold_secs after the last speech frame it heard, which
can be up to a frame into the padding: at some stopping points only 0.28-0.29 s is left for
our commit and the server answers commit_throttled (measured on the real server). The VAD's
commit already holds every word, so the dictation must end there as if our commit had been
answered: no reconnect, no replay of its end. Driven against the real local server.
"""

from __future__ import annotations

import asyncio

import pytest

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import FixedBackend
from scribe_desktop.protocol.events import Commit
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from scribe_desktop.session.live import LiveSession, Received, Reconnecting
from tests.app.fakes import FakeMicrophone
from tests.conftest import RunningServer
from tests.speech import SENTENCES, voiced

pytestmark = [pytest.mark.slow]

FINISH_TIMEOUT_S = 30.0


async def dictate_and_stop(server: RunningServer, pcm: bytes) -> list[object]:
    """The events of one dictation that plays `pcm` and stops right after it."""
    events: list[object] = []
    mic = FakeMicrophone()
    backend = FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret))
    options = SessionOptions(commit_strategy=CommitStrategy.VAD).validate()
    live = LiveSession(mic.start(preroll=False), backend, options, events.append)
    run = asyncio.ensure_future(live.run())
    try:
        await mic.play(pcm, speed=8.0)
        await live.finish(FINISH_TIMEOUT_S)
    finally:
        await asyncio.wait_for(run, FINISH_TIMEOUT_S)
    return events


async def test_stopping_mid_word_never_reconnects(
        local_server: RunningServer) -> None:
    """Stopped at 8 points in the last 0.7 s of a sentence (two of them throttle the final
    commit): every dictation ends with no reconnect and its words committed."""
    voice = voiced(SENTENCES[0])
    for early_ms in range(0, 800, 100):
        pcm = voice[:voice.size - early_ms * 16].tobytes()
        events = await dictate_and_stop(local_server, pcm)
        reconnects = [e for e in events if isinstance(e, Reconnecting)]
        assert not reconnects, f"stopped {early_ms} ms early: {reconnects[0].error}"
        texts = [e.event.text for e in events
                 if isinstance(e, Received) and isinstance(e.event, Commit)]
        assert " ".join(texts).split(), f"stopped {early_ms} ms early: nothing committed"
