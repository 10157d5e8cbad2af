"""End-to-end transcription through the real server subprocess (raw protocol client)."""

from __future__ import annotations

from typing import Any

import pytest

from scribe_desktop.audio.pcm import pcm16_bytes_to_array, ulaw_encode
from scribe_desktop.protocol.audio_format import AudioFormat
from tests.conftest import RunningServer
from tests.server.wire import connect, query
from tests.speech import pcm16, synth, wer

pytestmark = pytest.mark.slow

SENTENCE = "open the door and turn on the kitchen lights"
SECOND = "please call me back tomorrow morning"
MAX_WER = 0.35


def speech(text: str, rate_hz: int = 16000, **kwargs: Any) -> bytes:
    return pcm16(synth(text, rate_hz=rate_hz, **kwargs))


def check_words(msg: dict[str, Any], lo_s: float, hi_s: float) -> list[dict[str, Any]]:
    words: list[dict[str, Any]] = msg["words"]
    assert "".join(w["text"] for w in words) == msg["text"]
    times = [t for w in words for t in (w["start"], w["end"])]
    assert times == sorted(times)
    assert all(lo_s - 1e-6 <= t <= hi_s + 1e-6 for t in times)
    assert {w["type"] for w in words} <= {"word", "spacing"}
    return words


async def test_manual_session_partials_commit_and_timestamps(local_server: RunningServer):
    """A manual session yields partials, a close commit and stream-global word times."""
    first, second = speech(SENTENCE, tail_silence_s=0.3), speech(SECOND, tail_silence_s=0.3)
    first_s = len(first) / 32000
    async with connect(local_server, query(include_timestamps=True)) as conn:
        started = await conn.recv()
        assert started["message_type"] == "session_started"
        assert len(started["session_id"]) == 32
        await conn.stream(first, bytes_per_chunk=3200, sample_rate=16000)
        await conn.commit()
        committed = await conn.until("committed_transcript")
        types = [m["message_type"] for m in conn.received]
        assert "partial_transcript" in types[:types.index("committed_transcript")]
        assert wer(SENTENCE, committed["text"]) <= MAX_WER, committed["text"]
        stamped = await conn.until("committed_transcript_with_timestamps")
        assert stamped["text"] == committed["text"]
        assert stamped["language_code"] == "en"
        check_words(stamped, 0.0, first_s)

        await conn.stream(second, bytes_per_chunk=3200, sample_rate=16000)
        await conn.commit()
        committed2 = await conn.until("committed_transcript")
        assert wer(SECOND, committed2["text"]) <= MAX_WER, committed2["text"]
        stamped2 = await conn.until("committed_transcript_with_timestamps")
        words2 = check_words(stamped2, first_s - 0.05, first_s + len(second) / 32000)
        assert words2[0]["start"] >= first_s - 0.05  # offset by the first segment's audio


async def test_no_timestamps_message_without_include_timestamps(local_server: RunningServer):
    """Without include_timestamps the commit sends no timestamped message."""
    audio = speech(SECOND, tail_silence_s=0.3)
    async with connect(local_server, query(include_timestamps=False)) as conn:
        await conn.until("session_started")
        await conn.stream(audio, bytes_per_chunk=6400, sample_rate=16000)
        await conn.commit()
        await conn.until("committed_transcript")
        # a second commit proves the first one's messages were all delivered before it
        await conn.stream(bytes(16000), bytes_per_chunk=16000, sample_rate=16000)
        await conn.commit()
        await conn.until("committed_transcript")
        types = [m["message_type"] for m in conn.received]
        assert "committed_transcript_with_timestamps" not in types


@pytest.mark.parametrize("fmt", list(AudioFormat))
async def test_every_audio_format_transcribes(local_server: RunningServer, fmt: AudioFormat):
    """Each audio_format transcribes the same sentence acceptably."""
    rate = fmt.sample_rate_hz
    audio = speech(SENTENCE, rate_hz=rate, tail_silence_s=0.3)
    if fmt is AudioFormat.ULAW_8000:
        audio = ulaw_encode(pcm16_bytes_to_array(audio))
    async with connect(local_server, query(audio_format=fmt.value)) as conn:
        started = await conn.until("session_started")
        assert started["config"]["audio_format"] == fmt.value
        assert started["config"]["sample_rate"] == rate
        await conn.stream(audio, bytes_per_chunk=fmt.bytes_for(0.2), sample_rate=rate)
        await conn.commit(sample_rate=rate)
        committed = await conn.until("committed_transcript")
    if rate >= 16000:
        assert wer(SENTENCE, committed["text"]) <= MAX_WER, committed["text"]
    else:
        # known gap: the wheel's en-us model is wideband (features up to 6.8 kHz), so 8 kHz
        # audio decodes poorly (50-100 % WER measured); check only that speech came through
        assert committed["text"].strip(), committed


async def test_vad_mode_commits_at_end_of_speech(local_server: RunningServer):
    """In VAD mode the server commits by itself after speech and 2 s of silence."""
    audio = speech(SENTENCE, lead_silence_s=0.5, tail_silence_s=2.0)
    params = query(commit_strategy="vad", include_timestamps=True)  # 1.5 s silence default
    async with connect(local_server, params) as conn:
        started = await conn.until("session_started")
        assert started["config"]["vad_commit_strategy"] is True
        assert started["config"]["vad_silence_threshold_secs"] == 1.5
        await conn.stream(audio, bytes_per_chunk=3200, sample_rate=16000)
        committed = await conn.until("committed_transcript")
        assert wer(SENTENCE, committed["text"]) <= MAX_WER, committed["text"]
        stamped = await conn.until("committed_transcript_with_timestamps")
        check_words(stamped, 0.0, len(audio) / 32000)
