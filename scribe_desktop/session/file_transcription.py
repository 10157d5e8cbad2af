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
  sent has been answered beyond doubt, with its timestamps (rule C4), giving up after
  `idle_timeout_s` without any server message;
* the stream is a `ResilientSession`: a dropped connection or a restarted server is
  continued from the last audio a commit provably covered (the replay), so the file goes on
  where it was; `on_status` hears about it.

If it fails anyway, `TranscriptionIncomplete` carries the text committed so far: nothing
that was transcribed is thrown away.

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
from ..connect import Backend
from ..core.backend_kind import BackendKind
from ..core.transcript import RedactionMissingError, Transcript, TranscriptChange, feed
from ..export import ExportSession, SessionMeta, SessionSource
from ..protocol.audio_format import AudioFormat
from ..protocol.connection import Commit, CommitTimed, Redacted
from ..protocol.options import CommitStrategy, SessionOptions
from .resilient import Reconnected, Reconnecting, ResilientSession, SessionEvent

ProgressCallback = Callable[[float, float | None], None]  # (seconds sent, total or None)
# Called on the loop for each change, in order; it must not raise (an exception would end
# the transcription) nor block (queue slow work, as `session_journal` does).
ChangeCallback = Callable[[TranscriptChange], None]
StatusCallback = Callable[[Reconnecting | Reconnected], None]
END_SETTLE_S = 1.0  # a session whose stream ended settles at once; this only bounds it


class FileTranscriptionError(Exception):
    """The transcription could not finish; `str()` is one line for the user."""


class TranscriptionIncomplete(Exception):
    """The transcription failed part-way (`cause`); `transcript` holds what was committed
    before, which the caller keeps and shows."""

    def __init__(self, cause: BaseException, transcript: Transcript) -> None:
        super().__init__(f"{cause} (the transcript is incomplete: "
                         f"{len(transcript.segments)} segment(s) were kept)")
        self.cause = cause
        self.transcript = transcript


class TranscriptionSession(Protocol):
    """What streaming a file needs of a session (`resilient.ResilientSession`)."""

    @property
    def buffered_s(self) -> float: ...

    async def send_audio(self, pcm: bytes) -> None: ...

    async def commit(self, *, final: bool = False) -> int | None: ...

    def events(self) -> AsyncIterator[SessionEvent]: ...

    async def settle(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StreamPolicy:
    """How fast to stream and when to commit; `StreamPolicy.realtime()` paces at 1x."""

    speed: float | None = 20.0  # x real time; None sends as fast as the socket takes it
    burst_s: float = 2.0  # audio sent up front before pacing applies
    max_ahead_s: float = 60.0  # audio allowed that no answered commit covers yet
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
    reconnects: int = 0

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
    """State shared by the sender and the receiver of one transcription."""

    transcript: Transcript = field(default_factory=Transcript)
    untimed: set[int] = field(default_factory=set)  # commits still awaiting their timings
    unredacted: set[int] = field(default_factory=set)  # held for their redacted form (§6.8)
    withheld: int = 0  # commits whose redacted form never came: not shown, not saved
    commits: int = 0  # commit requests sent
    last_event_at: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    on_change: ChangeCallback | None = None
    on_status: StatusCallback | None = None


async def _receive(session: TranscriptionSession, state: _Progress) -> None:
    """Apply every event to the transcript until the session ends; the error that ended it
    for good ends this task."""
    sinks = () if state.on_change is None else (state.on_change,)
    async for event in session.events():
        state.last_event_at = time.monotonic()
        if isinstance(event, Reconnecting | Reconnected):
            # the lost connection's redactions cannot come now
            state.withheld += state.transcript.withhold_unredacted()
            state.unredacted.clear()
            if state.on_status is not None:
                state.on_status(event)
        else:
            feed(state.transcript, event, *sinks)
            if isinstance(event, Commit) and event.words is None and event.text.strip():
                state.untimed.add(event.index)
            elif isinstance(event, CommitTimed):
                state.untimed.discard(event.index)
            if isinstance(event, Commit) and state.transcript.redacting \
                    and event.text.strip():
                state.unredacted.add(event.index)
            elif isinstance(event, Redacted):
                state.unredacted.discard(event.index)
        state.changed.set()


async def _wait_for_change(state: _Progress, receiver: asyncio.Task[None],
                           timeout_s: float) -> bool:
    """Wait for an event (True) or the receiver's end; False after `timeout_s` of nothing."""
    state.changed.clear()
    waiter = asyncio.ensure_future(state.changed.wait())
    try:
        done, _ = await asyncio.wait({waiter, receiver}, timeout=timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    return bool(done)


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
        # Flow control: at most max_ahead_s of audio that no answered commit covers yet.
        while self.session.buffered_s > p.max_ahead_s:
            self._check_receiver()
            if not await _wait_for_change(self.state, self.receiver, p.idle_timeout_s):
                raise FileTranscriptionError(
                    f"the server sent nothing for {p.idle_timeout_s:g} s while "
                    f"{self.session.buffered_s:.0f} s of audio awaited a transcript")

    def _is_pause(self, chunk: AudioChunk) -> bool:
        p = self.policy
        return (chunk.rms_dbfs <= p.pause_floor_dbfs
                or chunk.rms_dbfs <= self.loudest_dbfs - p.pause_below_peak_db)

    async def commit(self, *, final: bool = False) -> None:
        if await self.session.commit(final=final) is not None:
            self.state.commits += 1
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
        await self.commit(final=True)


async def transcribe_source(source: AudioSource, session: TranscriptionSession, *,
                            policy: StreamPolicy | None = None,
                            with_timestamps: bool = True,
                            on_progress: ProgressCallback | None = None,
                            on_change: ChangeCallback | None = None,
                            on_status: StatusCallback | None = None,
                            redacting: bool = False,
                            ) -> tuple[Transcript, int]:
    """Stream `source` into `session` and return the transcript and the number of commits.
    `on_change` sees each transcript change as it happens (see `ChangeCallback`);
    `on_status` each reconnect attempt and success. `redacting`: the session asked for
    `entity_redaction`; only redacted commits reach the transcript (`Transcript.redacting`),
    and commits whose redacted form never came end it with `TranscriptionIncomplete` (caused
    by `RedactionMissingError`), the rest kept.

    Raises `TranscriptionIncomplete` (with the text committed so far) when the session, the
    source (`FileSourceError` mid-decode) or the server (no answer within `idle_timeout_s`:
    `FileTranscriptionError`) fails. Cancellation stops both directions; the caller closes
    the session.
    """
    policy = policy or StreamPolicy()
    state = _Progress(last_event_at=time.monotonic(), on_change=on_change, on_status=on_status)
    state.transcript.redacting = redacting
    receiver = asyncio.create_task(_receive(session, state), name="transcribe-receiver")
    streamer = _Streamer(session, state, policy, receiver, on_progress)
    try:
        try:
            await streamer.run(source)
            await _wait_until_answered(session, state, receiver, policy, with_timestamps)
            state.withheld += state.transcript.withhold_unredacted()
            if state.withheld:
                raise RedactionMissingError(state.withheld)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A send that fails because the session ended is best explained by the error
            # that ended it, which the receiver is about to raise: prefer it (rule B2).
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(receiver), timeout=1.0)
            cause = (receiver.exception() if receiver.done() and not receiver.cancelled()
                     else None) or exc
            raise TranscriptionIncomplete(cause, state.transcript) from cause
    finally:
        if not receiver.done():
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver
    return state.transcript, state.commits


async def _wait_until_answered(session: TranscriptionSession, state: _Progress,
                               receiver: asyncio.Task[None], policy: StreamPolicy,
                               with_timestamps: bool) -> None:
    """Wait until every commit we sent is answered beyond doubt (giving up after
    `idle_timeout_s` without any event), then briefly for the last timings (§6.6)."""
    settled = asyncio.ensure_future(session.settle())
    try:
        while not settled.done():
            done, _ = await asyncio.wait({settled, receiver}, timeout=policy.idle_timeout_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            if settled.done():
                break
            if receiver in done:
                exc = receiver.exception()
                if exc is None:
                    # the stream ended without an error: the session settles at once if
                    # that end answered our last commit (C5 + C6: the server's own commit
                    # covered all of it and our redundant one was throttled)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(settled), END_SETTLE_S)
                    if settled.done():
                        break
                raise exc if exc is not None else FileTranscriptionError(
                    "the server closed the session before the final transcript arrived")
            if time.monotonic() - state.last_event_at >= policy.idle_timeout_s:
                raise FileTranscriptionError(
                    f"no final transcript from the server within {policy.idle_timeout_s:g} s")
        settled.result()
    finally:
        settled.cancel()
    deadline = time.monotonic() + policy.enrichment_grace_s
    while ((state.untimed and with_timestamps) or state.unredacted) and not receiver.done():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not await _wait_for_change(state, receiver, remaining):
            return  # a server may skip the timings of a commit (they follow in ~15 ms);
            # a commit still unredacted is withheld by the caller


async def transcribe_file(source: FileSource, *, backend: Backend, kind: BackendKind,
                          language_code: str | None = None,
                          policy: StreamPolicy | None = None,
                          on_progress: ProgressCallback | None = None,
                          on_change: ChangeCallback | None = None,
                          on_status: StatusCallback | None = None) -> FileTranscription:
    """Connect through `backend`, stream `source` (already opened, so a bad file fails
    before any connection), and return the result; callbacks as in `transcribe_source`.
    Raises `OptionsError` (bad language code), the client's `ScribeError`s when the first
    connection fails, and `TranscriptionIncomplete`."""
    audio_format = AudioFormat.for_rate(source.sample_rate_hz)
    options = SessionOptions(audio_format=audio_format, commit_strategy=CommitStrategy.MANUAL,
                             include_timestamps=True, language_code=language_code).validate()
    started = time.monotonic()
    session = ResilientSession(backend, options)
    await session.open()
    try:
        transcript, commits = await transcribe_source(source, session, policy=policy,
                                                      on_progress=on_progress,
                                                      on_change=on_change, on_status=on_status)
    finally:
        await session.close()
    duration = source.duration_s if source.duration_s is not None else source.seconds_done
    return FileTranscription(file=source.path, duration_s=duration, backend=kind,
                             transcript=transcript, commits_sent=commits,
                             elapsed_s=time.monotonic() - started, language_code=language_code,
                             reconnects=session.reconnects)
