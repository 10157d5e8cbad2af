"""A connection cut at any moment of any segment loses and duplicates no word.

A simulation, sans-I/O on both sides: speech is PCM whose non-zero sample values name the
word they belong to; a scripted server segments it like the service does (VAD commits at
pauses, also unasked in manual mode like a cloud mock that commits on its own; or, like our
server's automatic commit, at the first short pause once enough audio is uncommitted, which
our own padding can be; or manual commits only), answers our commits (or throttles one that
met its own, and closes), and sends every message after a downlink delay. The client is the
real `ClientConnection` (attribution, replay, padding, overlap cutting, settling) feeding the
real `Transcript`; it commits now and then while speaking, as the file streamer and "Commit
now" do, so several commits can be in flight. Connections are cut at random moments, losing
everything in flight both ways, and continued with `successor()` as the reconnect does (also
after a throttled commit whose answer is in doubt). At the end every word must be in the
transcript exactly once, in order, with times on the stream's clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.core.transcript import Transcript, feed
from scribe_desktop.protocol import AudioFormat, CommitStrategy, Word, WordType
from scribe_desktop.protocol.codec import decode_client_message
from scribe_desktop.protocol.connection import AUTO_COMMIT_CONFIG_KEY, ClientConnection
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
STEP = int(CHUNK_S * RATE)
FRAME = 160  # the scripted server's VAD looks at 10 ms frames
AUTO_PAUSE_S = 0.3


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
    auto_s: float | None = None  # commit at the first AUTO_PAUSE_S pause after this much
    audio: list[np.ndarray] = field(default_factory=list)
    total: int = 0
    segment_start: int = 0
    silence_run: int = 0
    speech_in_segment: bool = False
    failed: bool = False

    def receive(self, frame: str) -> list[ServerMessage]:
        message = decode_client_message(frame)
        assert isinstance(message, InputAudioChunk)
        if self.failed:
            return []  # closed after its error (B2)
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
        vad_end = (self.vad and self.speech_in_segment
                   and self.silence_run >= self.silence_s * RATE)
        auto = (self.auto_s is not None and self.silence_run >= AUTO_PAUSE_S * RATE
                and self.total - self.segment_start >= self.auto_s * RATE)
        if vad_end or auto:
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
    commits: list[float] = field(default_factory=list)  # our commits while speaking
    auto_s: float | None = None  # the server's pause-seeking automatic commit


def simulate(speech: Speech, run: Run) -> Transcript:
    vad = run.server_segments or run.strategy is CommitStrategy.VAD
    conn = ClientConnection.new(FMT, now=0.0, commit_strategy=run.strategy,
                                vad_silence_s=run.silence_s, replay_limit_s=120.0)
    server = ScriptedServer(vad, run.silence_s, run.timestamps, run.auto_s)
    transcript = Transcript()
    inbox: list[tuple[float, ServerMessage]] = []  # (arrival time at the client, message)

    def start(now: float) -> None:
        # a server that commits on its own in manual mode says when (our local server does;
        # C2: optional); one that commits at every pause says 0. The documented service
        # says nothing and commits after at least SERVER_AUTO_COMMIT_FLOOR_S.
        announced = 0.0 if run.server_segments and run.strategy is CommitStrategy.MANUAL \
            else run.auto_s
        config = {} if announced is None else {AUTO_COMMIT_CONFIG_KEY: announced}
        conn.receive_message(SessionStarted("s" * 32, config), now)
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
        server = ScriptedServer(vad, run.silence_s, run.timestamps, run.auto_s)
        start(now)
        for item in plan.items:
            conn.send_audio(item.audio, now, inserted=item.inserted)
            if item.commit:
                conn.commit(now)
        send(now)

    def failed() -> bool:
        """The server closed after an error (a throttled commit): ResilientSession reconnects
        and replays, unless the throttled commit was our final one and settled."""
        return conn.error is not None

    start(0.0)
    cuts = sorted(run.cuts)
    commits = sorted(run.commits)
    step = int(CHUNK_S * RATE)
    t = 0.0
    for begin in range(0, speech.samples.size, step):
        t = begin / RATE
        deliver(t)
        while cuts and cuts[0] <= t:
            cuts.pop(0)
            cut(t)
        if failed():
            cut(t)
        while commits and round(commits[0] * RATE) <= begin:  # the audio before t is sent
            commits.pop(0)
            conn.commit(t)
        conn.send_audio(speech.samples[begin:begin + step].astype("<i2").tobytes(), t)
        send(t)
    if failed():
        cut(t)
    conn.commit(t, final=True)
    send(t)
    for _ in range(20000):
        t += 0.01
        deliver(t)
        if failed() and conn.unresolved:
            cut(t)
        if conn.answers_settled(t) is None:
            break  # the client closes now: whatever is still in flight is lost
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
              cuts=draw(st.lists(st.floats(0.0, length), max_size=5)),
              # in pauses, as the file streamer commits (a commit inside a word cuts it in
              # two for any engine: not what this property is about)
              commits=[at / RATE for k in draw(st.lists(st.integers(0, n - 1), max_size=4))
                       if (at := math.ceil(speech.spans[k][1] * RATE / STEP) * STEP)
                       <= (speech.spans[k + 1][0] if k + 1 < n else length) * RATE],
              auto_s=draw(st.sampled_from([None, None, 1.0, 3.0])))
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
