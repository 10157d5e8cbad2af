"""A connection cut at any moment of any segment loses and duplicates no word.

A simulation, sans-I/O on both sides: speech is PCM whose non-zero sample values name the
word they belong to; a scripted server segments it like the service does (VAD commits at
pauses, also unasked in manual mode like a cloud mock that commits on its own, or manual
commits only), answers our commits, and sends every message after a
downlink delay. The client is the real `ClientConnection` (attribution, replay, padding,
overlap cutting, settling) feeding the real `Transcript`. Connections are cut at random
moments, losing everything in flight both ways, and continued with `successor()` as the
reconnect does. At the end every word must be in the transcript exactly once, in order, with
times on the stream's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.core.transcript import Transcript, feed
from scribe_desktop.protocol import AudioFormat, CommitStrategy, Word, WordType
from scribe_desktop.protocol.codec import decode_client_message
from scribe_desktop.protocol.connection import ClientConnection
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    InputAudioChunk,
    ServerError,
    ServerMessage,
    SessionStarted,
)
from scribe_desktop.protocol.options import MIN_COMMIT_AUDIO_S

RATE = 16000
FMT = AudioFormat.PCM_16000
CHUNK_S = 0.05
FRAME = 160  # the scripted server's VAD looks at 10 ms frames


@dataclass
class Speech:
    """The spoken stream: samples and where each word starts and ends (seconds)."""

    samples: np.ndarray
    spans: list[tuple[float, float]]


def make_speech(durations: list[float], pauses: list[float]) -> Speech:
    parts, spans, t = [np.zeros(int(0.3 * RATE), dtype=np.int16)], [], 0.3
    for k, (word_s, pause_s) in enumerate(zip(durations, pauses, strict=True)):
        n = int(word_s * RATE)
        parts.append(np.full(n, k + 1, dtype=np.int16))
        spans.append((t, t + n / RATE))
        t += n / RATE
        m = int(pause_s * RATE)
        parts.append(np.zeros(m, dtype=np.int16))
        t += m / RATE
    return Speech(np.concatenate(parts), spans)


@dataclass
class ScriptedServer:
    """One server session: VAD commits at pauses (or none), answers commits in order."""

    vad: bool
    silence_s: float
    timestamps: bool
    audio: list[np.ndarray] = field(default_factory=list)
    total: int = 0
    segment_start: int = 0
    silence_run: int = 0
    speech_in_segment: bool = False
    failed: bool = False

    def receive(self, frame: str) -> list[ServerMessage]:
        message = decode_client_message(frame)
        assert isinstance(message, InputAudioChunk)
        out: list[ServerMessage] = []
        if message.audio:
            samples = np.frombuffer(message.audio, dtype="<i2").astype(np.int16)
            for start in range(0, samples.size, FRAME):
                self._frame(samples[start:start + FRAME], out)
        if message.commit:
            if (self.total - self.segment_start) / RATE + 1e-6 < MIN_COMMIT_AUDIO_S:
                self.failed = True
                return [*out, ServerError(ErrorType.COMMIT_THROTTLED, "too short")]
            out.extend(self._commit())
        return out

    def _frame(self, frame: np.ndarray, out: list[ServerMessage]) -> None:
        self.audio.append(frame)
        self.total += frame.size
        if np.any(frame):
            self.speech_in_segment, self.silence_run = True, 0
        else:
            self.silence_run += frame.size
        if self.vad and self.speech_in_segment and self.silence_run >= self.silence_s * RATE:
            out.extend(self._commit())

    def _commit(self) -> list[ServerMessage]:
        stream = np.concatenate(self.audio) if self.audio else np.zeros(0, dtype=np.int16)
        segment = stream[self.segment_start:self.total]
        words: list[Word] = []
        for value in dict.fromkeys(int(v) for v in segment if v):  # in order of appearance
            where = np.flatnonzero(segment == value)
            start = (self.segment_start + where[0]) / RATE
            end = (self.segment_start + where[-1] + 1) / RATE
            if words:
                words.append(Word(" ", words[-1].end_s, start, WordType.SPACING))
            words.append(Word(f"w{value - 1}", round(start, 3), round(end, 3)))
        text = "".join(w.text for w in words)
        self.segment_start, self.speech_in_segment, self.silence_run = self.total, False, 0
        out: list[ServerMessage] = [CommittedTranscript(text)]
        if self.timestamps:
            out.append(CommittedTranscriptWithTimestamps(text, "en", tuple(words)))
        return out


@dataclass
class Run:
    strategy: CommitStrategy
    server_segments: bool  # the server commits at pauses (always with VAD; also in manual)
    silence_s: float
    timestamps: bool
    delay_s: float
    cuts: list[float]


def simulate(speech: Speech, run: Run) -> Transcript:
    vad = run.server_segments or run.strategy is CommitStrategy.VAD
    conn = ClientConnection.new(FMT, now=0.0, commit_strategy=run.strategy,
                                vad_silence_s=run.silence_s, replay_limit_s=120.0)
    server = ScriptedServer(vad, run.silence_s, run.timestamps)
    transcript = Transcript()
    inbox: list[tuple[float, ServerMessage]] = []  # (arrival time at the client, message)

    def start(now: float) -> None:
        conn.receive_message(SessionStarted("s" * 32, {}), now)
        conn.events_received()

    def send(now: float) -> None:
        for frame in conn.data_to_send():
            inbox.extend((now + run.delay_s, m) for m in server.receive(frame))

    def deliver(now: float) -> None:
        due = [m for t, m in inbox if t <= now]
        inbox[:] = [(t, m) for t, m in inbox if t > now]
        for message in due:
            conn.receive_message(message, now)
        for event in conn.events_received():
            feed(transcript, event)

    def cut(now: float) -> None:
        nonlocal conn, server
        inbox.clear()  # everything in flight is lost, both ways
        conn, plan = conn.successor(now)
        server = ScriptedServer(vad, run.silence_s, run.timestamps)
        start(now)
        for item in plan.items:
            conn.send_audio(item.audio, now)
            if item.commit:
                conn.commit(now)
        send(now)

    start(0.0)
    cuts = sorted(run.cuts)
    step = int(CHUNK_S * RATE)
    t = 0.0
    for begin in range(0, speech.samples.size, step):
        t = begin / RATE
        deliver(t)
        while cuts and cuts[0] <= t:
            cuts.pop(0)
            cut(t)
        conn.send_audio(speech.samples[begin:begin + step].astype("<i2").tobytes(), t)
        send(t)
    conn.commit(t, final=True)
    send(t)
    for _ in range(20000):
        t += 0.01
        deliver(t)
        if conn.answers_settled(t) is None and not inbox:
            break
    if server.failed:  # our final commit met the server's own: that one covered everything
        assert conn.error is not None and not conn.pending_requests
    return transcript


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Speech, Run]:
    n = draw(st.integers(min_value=2, max_value=10))
    durations = draw(st.lists(st.floats(0.15, 0.6), min_size=n, max_size=n))
    pauses = draw(st.lists(st.one_of(st.floats(0.05, 0.4), st.floats(0.5, 3.0)),
                           min_size=n, max_size=n))
    speech = make_speech(durations, pauses)
    length = speech.samples.size / RATE
    run = Run(strategy=draw(st.sampled_from([CommitStrategy.VAD, CommitStrategy.MANUAL])),
              server_segments=draw(st.booleans()),
              silence_s=draw(st.sampled_from([0.5, 1.0, 1.5])),
              timestamps=draw(st.booleans()),
              delay_s=draw(st.sampled_from([0.0, 0.3, 1.0])),
              cuts=draw(st.lists(st.floats(0.0, length), max_size=5)))
    return speech, run


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_cuts_lose_and_duplicate_no_word(scenario: tuple[Speech, Run]) -> None:
    """Whatever the cuts, delays and segmentation, each word is committed exactly once."""
    speech, run = scenario
    transcript = simulate(speech, run)
    assert transcript.text.split() == [f"w{k}" for k in range(len(speech.spans))]


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_word_times_stay_on_the_streams_clock(scenario: tuple[Speech, Run]) -> None:
    """Word times after a reconnect are where the words were spoken in the whole stream."""
    speech, run = scenario
    run.timestamps = True
    transcript = simulate(speech, run)
    timed = [w for s in transcript.segments for w in s.words or () if w.type == WordType.WORD]
    for word in timed:
        k = int(word.text[1:])
        start, end = speech.spans[k]
        assert word.start_s is not None and word.end_s is not None
        assert abs(word.start_s - start) < 0.02 and abs(word.end_s - end) < 0.02, (word, k)
