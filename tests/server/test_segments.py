"""Several commits in one session: audio accounting per segment and each segment's accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.messages import CommittedTranscript
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from scribe_desktop.server.engines.base import SegmentResult
from scribe_desktop.server.pipeline import AudioPipeline
from tests.conftest import RunningServer
from tests.server.wire import connect, query
from tests.speech import SENTENCES, pcm16, synth, voiced, wer

# three sentences pocketsphinx gets right alone (the fox sentence is hard for it anywhere)
TEXTS = (SENTENCES[0], SENTENCES[2], SENTENCES[3])
MAX_WER = 0.35


class SampleCounter:
    """An engine session that records how many samples each segment received."""

    def __init__(self) -> None:
        self.current = 0
        self.segments: list[int] = []

    def feed(self, samples: np.ndarray) -> str | None:
        self.current += int(samples.size)
        return None

    def commit(self) -> SegmentResult:
        self.segments.append(self.current)
        self.current = 0
        return SegmentResult("")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("fmt", [AudioFormat.PCM_8000, AudioFormat.PCM_16000,
                                 AudioFormat.PCM_44100, AudioFormat.ULAW_8000])
def test_each_segment_gets_exactly_the_audio_sent_before_its_commit(fmt: AudioFormat):
    """The engine receives each segment's audio in full, none carried into the next one."""
    counter = SampleCounter()
    options = SessionOptions(audio_format=fmt, commit_strategy=CommitStrategy.MANUAL)
    pipeline = AudioPipeline(options, counter, auto_commit_s=90.0, language="en")
    chunk = fmt.bytes_for(0.1)
    seconds = (1.05, 2.0, 0.7)
    for segment_s in seconds:
        wire = fmt.silence(segment_s)
        for off in range(0, len(wire), chunk):
            pipeline.feed(wire[off:off + chunk])
        messages = pipeline.commit()
        assert isinstance(messages[-1], CommittedTranscript)
    assert counter.segments == pytest.approx([s * 16000 for s in seconds], abs=2)


async def stream_segments(server: RunningServer, fmt: AudioFormat) -> list[str]:
    """One session: each of TEXTS streamed in 100 ms chunks, a commit after each."""
    rate = fmt.sample_rate_hz
    texts = []
    async with connect(server, query(audio_format=fmt.value)) as conn:
        await conn.until("session_started")
        for text in TEXTS:
            audio = pcm16(synth(text, rate_hz=rate, tail_silence_s=0.3))
            await conn.stream(audio, bytes_per_chunk=fmt.bytes_for(0.1), sample_rate=rate)
            await conn.commit(sample_rate=rate)
            texts.append((await conn.until("committed_transcript"))["text"])
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("fmt", [AudioFormat.PCM_16000, AudioFormat.PCM_44100])
async def test_every_segment_of_a_session_is_transcribed_well(local_server: RunningServer,
                                                             fmt: AudioFormat):
    """Segments after the first are as accurate as the first (no state leaks across commits)."""
    texts = await stream_segments(local_server, fmt)
    wers = [wer(ref, hyp) for ref, hyp in zip(TEXTS, texts, strict=True)]
    assert max(wers) <= MAX_WER, list(zip(wers, texts, strict=True))


def test_the_servers_own_commit_leaves_a_padded_commit_its_audio():
    """The server's own commit (manual mode, past --auto-commit-seconds) falls where the pause
    reached 0.3 s, not at the end of the chunk that held it: a client's commit padded with
    1.8 s of silence in one chunk (rule C6) still has its audio, so it is not throttled."""
    voice = voiced(SENTENCES[0])
    counter = SampleCounter()
    options = SessionOptions(commit_strategy=CommitStrategy.MANUAL)
    # the window opens with the last word, so the padding holds the first pause after it
    pipeline = AudioPipeline(options, counter, auto_commit_s=voice.size / 16000 - 0.05,
                             language="en")
    step = 1600
    for start in range(0, voice.size, step):
        assert pipeline.feed(voice[start:start + step].tobytes()) == []  # no pause yet
    messages = pipeline.feed(bytes(round(1.8 * 16000) * 2))  # the padding, one chunk
    assert [type(m) for m in messages] == [CommittedTranscript]
    (segment,) = counter.segments
    assert voice.size + 0.3 * 16000 <= segment <= voice.size + 0.6 * 16000
    assert pipeline.uncommitted_s >= 1.2
    assert counter.current == voice.size + round(1.8 * 16000) - segment
