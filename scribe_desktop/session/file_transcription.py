"""Transcribe an audio file over one realtime session: stream, commit, collect, finish.

The file is streamed faster than real time, like the Python SDK's url mode (protocol doc
§14.3), but within limits a server can take:

* chunks are `chunk_s` long (250 ms by default, rule C9), paced at `speed` x real time after a
  short initial burst;
* audio in flight is bounded: we never run more than `max_ahead_s` of audio past the last
  commit the server has answered, so a slow engine is never buried under a long file;
* long files are committed every `commit_after_s`-`commit_force_s` seconds of audio, at a pause
  when one comes (§10.1: "Committing every 20-30 seconds is good practice", "commit during
  silence periods"), which also keeps ahead of the server's own auto-commit (rule C5);
* the end is committed (the client pads or skips, rule C6), and we wait until every commit we
  sent has been answered, with its timestamps (rule C4), giving up after `idle_timeout_s`
  without any server message.

Events go through `Transcript` (rules C3-C5); the result serialises to text or JSON.
`on_change` sees every `TranscriptChange` as it happens (a segment committed, its timestamps
added), so a caller can record each segment as it arrives (the history keeps a
file's text even if the process dies half-way), not only the finished result.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..audio.file_source import FileSource
from ..audio.source import AudioChunk, AudioSource
from ..client import Auth, Endpoint, connect
from ..core.backend_kind import BackendKind
from ..core.transcript import Transcript, TranscriptChange, feed
from ..export import ExportSession, SessionMeta, SessionSource
from ..protocol.audio_format import AudioFormat
from ..protocol.connection import Commit, CommitTimed, ConnectionEvent
from ..protocol.options import CommitStrategy, SessionOptions

ProgressCallback = Callable[[float, float | None], None]  # (seconds sent, total or None)
# Called on the loop for each change, in order; it must not raise (an exception would end
# the transcription) nor block (queue slow work, as `session_journal` does).
ChangeCallback = Callable[[TranscriptChange], None]


class FileTranscriptionError(Exception):
    """The transcription could not finish; `str()` is one line for the user."""


class TranscriptionSession(Protocol):
    """The part of the client's session this module uses (see scribe_desktop.client)."""

    async def send_audio(self, pcm: bytes) -> None: ...

    async def commit(self) -> int | None: ...

    def events(self) -> AsyncIterator[ConnectionEvent]: ...


@dataclass(frozen=True, slots=True)
class StreamPolicy:
    """How fast to stream and when to commit; `StreamPolicy.realtime()` paces at 1x."""

    speed: float | None = 20.0  # x real time; None sends as fast as the socket takes it
    burst_s: float = 2.0  # audio sent up front before pacing applies
    max_ahead_s: float = 60.0  # audio allowed past the last answered commit
    commit_after_s: float = 20.0  # from here on, commit at the first pause
    commit_force_s: float = 30.0  # commit here even without a pause
    pause_below_peak_db: float = 25.0  # a chunk this far under the loudest one is a pause
    pause_floor_dbfs: float = -50.0  # and anything this quiet is one too
    idle_timeout_s: float = 30.0  # give up waiting for the server after this much silence
    enrichment_grace_s: float = 2.0  # wait this long for timestamps after the last commit

    @classmethod
    def realtime(cls) -> StreamPolicy:
        return cls(speed=1.0, burst_s=0.0)

    def __post_init__(self) -> None:
        if self.speed is not None and self.speed <= 0:
            raise ValueError("speed must be positive")
        if not 0 < self.commit_after_s <= self.commit_force_s < self.max_ahead_s:
            raise ValueError("need 0 < commit_after_s <= commit_force_s < max_ahead_s, "
                             "or streaming could wait forever for a commit")


@dataclass(slots=True)
class FileTranscription:
    """The outcome of transcribing one file."""

    file: Path
    duration_s: float
    backend: BackendKind
    transcript: Transcript
    commits_sent: int = 0
    elapsed_s: float = 0.0
    language_code: str | None = None  # the language asked for; None: auto-detect

    @property
    def text(self) -> str:
        return self.transcript.text

    def export_session(self) -> ExportSession:
        """The result as an exportable session (every CLI format renders from this)."""
        meta = SessionMeta(source=SessionSource.FILE, backend=self.backend.value,
                           language_code=self.language_code, file=str(self.file))
        return ExportSession.from_segments(self.transcript.segments, meta,
                                           duration_s=self.duration_s)


@dataclass(slots=True)
class _Progress:
    """State shared by the sender and the receiver of one transcription.

    Commit accounting comes from the connection (rule C5): each `Commit` says which of our
    requests it answers, if any, so the server's own commits never count as answers."""

    transcript: Transcript = field(default_factory=Transcript)
    requests_s: dict[int, float] = field(default_factory=dict)  # request -> stream time
    answered: int = 0  # the highest of our requests answered so far
    untimed: set[int] = field(default_factory=set)  # commits still awaiting their timings
    last_event_at: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    on_change: ChangeCallback | None = None

    @property
    def answered_s(self) -> float:
        """Stream time up to which the server has answered our commits."""
        return self.requests_s.get(self.answered, 0.0)

    def commits_answered(self, *, with_timestamps: bool) -> bool:
        last = max(self.requests_s, default=0)
        return self.answered >= last and (not with_timestamps or not self.untimed)


async def _receive(session: TranscriptionSession, state: _Progress) -> None:
    """Apply every server event to the transcript until the session ends.

    Server errors surface as the client's typed exceptions, which end this task."""
    sinks = () if state.on_change is None else (state.on_change,)
    async for event in session.events():
        state.last_event_at = time.monotonic()
        feed(state.transcript, event, *sinks)
        if isinstance(event, Commit):
            if event.answers is not None:
                state.answered = max(state.answered, event.answers)
            if event.words is None and event.text.strip():
                state.untimed.add(event.index)
        elif isinstance(event, CommitTimed):
            state.untimed.discard(event.index)
        state.changed.set()


class _Streamer:
    """Sends a source's chunks with pacing, flow control and periodic commits."""

    def __init__(self, session: TranscriptionSession, state: _Progress, policy: StreamPolicy,
                 receiver: asyncio.Task[None], on_progress: ProgressCallback | None) -> None:
        self.session = session
        self.state = state
        self.policy = policy
        self.receiver = receiver
        self.on_progress = on_progress
        self.sent_s = 0.0
        self.uncommitted_s = 0.0
        self.loudest_dbfs = float("-inf")

    def _check_receiver(self) -> None:
        if self.receiver.done():
            exc = self.receiver.exception()
            if exc is not None:
                raise exc
            raise FileTranscriptionError("the server closed the session while audio was "
                                         "still being sent")

    async def _wait_for_room(self, started: float) -> None:
        p = self.policy
        if p.speed is not None:
            due = started + max(0.0, self.sent_s - p.burst_s) / p.speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        # Flow control: stay within max_ahead_s of what the server has answered.
        while self.sent_s - self.state.answered_s > p.max_ahead_s:
            self._check_receiver()
            self.state.changed.clear()
            waiter = asyncio.ensure_future(self.state.changed.wait())
            try:
                done, _ = await asyncio.wait({waiter, self.receiver},
                                             timeout=p.idle_timeout_s,
                                             return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            if not done:
                raise FileTranscriptionError(
                    f"the server sent nothing for {p.idle_timeout_s:g} s while "
                    f"{self.sent_s - self.state.answered_s:.0f} s of audio awaited a transcript")

    def _is_pause(self, chunk: AudioChunk) -> bool:
        p = self.policy
        return (chunk.rms_dbfs <= p.pause_floor_dbfs
                or chunk.rms_dbfs <= self.loudest_dbfs - p.pause_below_peak_db)

    async def commit(self) -> None:
        request = await self.session.commit()
        if request is not None:
            self.state.requests_s[request] = self.sent_s
        self.uncommitted_s = 0.0

    async def run(self, source: AudioSource) -> None:
        started = time.monotonic()
        total = source.duration_s
        async for chunk in source:
            self._check_receiver()
            await self._wait_for_room(started)
            await self.session.send_audio(chunk.pcm)
            self.sent_s = chunk.end_s
            self.uncommitted_s += chunk.duration_s
            self.loudest_dbfs = max(self.loudest_dbfs, chunk.rms_dbfs)
            if self.on_progress is not None:
                self.on_progress(self.sent_s, total)
            p = self.policy
            if self.uncommitted_s >= p.commit_force_s or (
                    self.uncommitted_s >= p.commit_after_s and self._is_pause(chunk)):
                await self.commit()
        self._check_receiver()
        await self.commit()


async def transcribe_source(source: AudioSource, session: TranscriptionSession, *,
                            policy: StreamPolicy | None = None,
                            with_timestamps: bool = True,
                            on_progress: ProgressCallback | None = None,
                            on_change: ChangeCallback | None = None,
                            ) -> tuple[Transcript, int]:
    """Stream `source` into `session` and return the transcript and the number of commits.
    `on_change` sees each transcript change as it happens (see `ChangeCallback`).

    Raises the client's typed errors (server errors, lost connection), `FileSourceError`
    for a file that fails mid-decode, and `FileTranscriptionError` on a timeout. Cancellation
    stops both directions; the caller closes the session.
    """
    policy = policy or StreamPolicy()
    state = _Progress(last_event_at=time.monotonic(), on_change=on_change)
    receiver = asyncio.create_task(_receive(session, state), name="transcribe-receiver")
    streamer = _Streamer(session, state, policy, receiver, on_progress)
    try:
        try:
            await streamer.run(source)
        except Exception:
            # A send that fails because the server closed is best explained by the server's
            # own error, which the receiver is about to raise: prefer it (rule B2).
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(receiver), timeout=1.0)
            server_error = (receiver.exception() if receiver.done() and not receiver.cancelled()
                            else None)
            if server_error is not None:
                raise server_error from None
            raise
        await _wait_until_answered(state, receiver, policy, with_timestamps)
    finally:
        if not receiver.done():
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver
    return state.transcript, len(state.requests_s)


async def _wait_until_answered(state: _Progress, receiver: asyncio.Task[None],
                               policy: StreamPolicy, with_timestamps: bool) -> None:
    """Wait for every commit's `committed_transcript` (and its timestamps, briefly)."""
    state.last_event_at = max(state.last_event_at, time.monotonic())
    texts_done_at: float | None = None
    while not state.commits_answered(with_timestamps=with_timestamps):
        now = time.monotonic()
        if state.commits_answered(with_timestamps=False):
            # Texts are in; the timestamps may never come from a server that skips them
            # for empty commits. Waiting a little is enough (they follow within ~15 ms, §6.6).
            texts_done_at = texts_done_at or now
            deadline = texts_done_at + policy.enrichment_grace_s
            if now >= deadline:
                return
        else:
            deadline = state.last_event_at + policy.idle_timeout_s
            if now >= deadline:
                raise FileTranscriptionError(
                    f"no final transcript from the server within {policy.idle_timeout_s:g} s")
        state.changed.clear()
        waiter = asyncio.ensure_future(state.changed.wait())
        try:
            await asyncio.wait({waiter, receiver}, timeout=deadline - now,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if receiver.done():
            exc = None if receiver.cancelled() else receiver.exception()
            if state.commits_answered(with_timestamps=False):
                return  # the texts are in; nothing more can come
            if exc is not None:
                raise exc
            raise FileTranscriptionError("the server closed the session before the final "
                                         "transcript arrived")


async def transcribe_file(source: FileSource, *, endpoint: Endpoint, auth: Auth,
                          backend: BackendKind, language_code: str | None = None,
                          policy: StreamPolicy | None = None,
                          on_progress: ProgressCallback | None = None,
                          on_change: ChangeCallback | None = None) -> FileTranscription:
    """Connect, stream `source` (already opened, so a bad file fails before any connection),
    and return the result; `on_change` as in `transcribe_source`. Raises `OptionsError` (bad
    language code), the client's `ScribeError`s, `FileSourceError` and
    `FileTranscriptionError`."""
    audio_format = AudioFormat.for_rate(source.sample_rate_hz)
    options = SessionOptions(audio_format=audio_format, commit_strategy=CommitStrategy.MANUAL,
                             include_timestamps=True, language_code=language_code).validate()
    started = time.monotonic()
    async with await connect(options, endpoint, auth) as session:
        transcript, commits = await transcribe_source(source, session, policy=policy,
                                                      on_progress=on_progress,
                                                      on_change=on_change)
    duration = source.duration_s if source.duration_s is not None else source.seconds_done
    return FileTranscription(file=source.path, duration_s=duration, backend=backend,
                             transcript=transcript, commits_sent=commits,
                             elapsed_s=time.monotonic() - started, language_code=language_code)
