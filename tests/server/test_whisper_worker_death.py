"""A Whisper session whose engine worker dies mid-sentence: the real server with tiny.en and
one worker, the real WebSocket, a raw protocol client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Any

import pytest

from tests.server.test_process_engine import engine_workers
from tests.server.wire import Conn, connect
from tests.speech import SENTENCES, pcm16, synth, wer
from tests.whisper_model import launch_whisper_server

pytestmark = pytest.mark.slow

RATE = 16000
CHUNK_S = 0.1
# Audio streamed while the worker is stopped: the pacer starts the next partial decode within
# max(0.4 s, the last decode's time / 0.6) of the last one (server/pacing.py), so one is
# waiting on the worker when it is killed.
FROZEN_S = 2.0
MAX_WER = 0.35
ANSWER_S = 90.0  # the replacement worker spawns and loads tiny.en before it decodes
NOT_ERRORS = {"session_started", "partial_transcript", "committed_transcript"}


class Streamer:
    """Sends audio in 100 ms chunks at real-time pace, like a microphone, and tells how much
    it has sent."""

    def __init__(self, conn: Conn, audio: bytes) -> None:
        self.conn = conn
        self.audio = audio
        self.sent = 0
        self._progress = asyncio.Condition()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        step = int(CHUNK_S * RATE) * 2
        due = loop.time()
        while self.sent < len(self.audio):
            await self.conn.send_chunk(self.audio[self.sent:self.sent + step])
            async with self._progress:
                self.sent = min(len(self.audio), self.sent + step)
                self._progress.notify_all()
            due += CHUNK_S
            await asyncio.sleep(max(0.0, due - loop.time()))  # the pace of a microphone

    async def until_sent(self, n: int) -> None:
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: self.sent >= n),
                                   2 * len(self.audio) / 2 / RATE)


async def next_result(conn: Conn) -> dict[str, Any]:
    """The next message that is not a partial transcript (a committed one or an error)."""
    while True:
        message = await conn.recv(ANSWER_S)
        if message["message_type"] != "partial_transcript":
            return message


async def test_a_killed_worker_loses_no_speech() -> None:
    """SIGKILL on the engine worker while a partial decode waits on it, mid-sentence, costs the
    session nothing: the commit holds the whole sentence, no error arrives, and the next
    commit works too."""
    sentence = " ".join(SENTENCES[4:6])  # 5.4 s of speech
    speech = pcm16(synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5))
    server = launch_whisper_server("--engine-workers", "1")
    try:
        [worker] = engine_workers(server.process.pid)
        async with connect(server) as conn:
            await conn.until("session_started")
            streamer = Streamer(conn, speech)
            streaming = asyncio.create_task(streamer.run())
            await conn.until("partial_transcript")
            left_s = (len(speech) - streamer.sent) / 2 / RATE
            assert left_s > FROZEN_S + 0.5, f"the first partial came {left_s:.1f} s from the end"
            # stopped, the worker holds whatever decode the server sends it next
            os.kill(worker, signal.SIGSTOP)
            await streamer.until_sent(streamer.sent + int(FROZEN_S * RATE) * 2)
            os.kill(worker, signal.SIGKILL)
            with contextlib.suppress(ConnectionError):  # a failed session closes: see below
                await streaming
                await conn.commit()
            committed = await next_result(conn)
            assert committed["message_type"] == "committed_transcript", committed
            assert wer(sentence, committed["text"]) <= MAX_WER, committed["text"]

            again = SENTENCES[1]
            await conn.stream(pcm16(synth(again, tail_silence_s=0.5)), bytes_per_chunk=3200,
                              sample_rate=RATE)
            await conn.commit()
            second = await next_result(conn)
            assert second["message_type"] == "committed_transcript", second
            assert wer(again, second["text"]) <= MAX_WER, second["text"]
        errors = [m for m in conn.received if m["message_type"] not in NOT_ERRORS]
        assert errors == []
        replacements = engine_workers(server.process.pid)
        assert len(replacements) == 1 and worker not in replacements
        # the decode that was waiting on the killed worker was sent again, not dropped
        assert any(f"pid {worker}) died during decode" in line for line in server.stderr_tail), \
            "".join(server.stderr_tail)
    finally:
        server.stop()
