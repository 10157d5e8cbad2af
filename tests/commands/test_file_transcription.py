"""The file-transcription loop against a scripted session: commits, flow control, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from scribe_desktop.audio.source import AudioChunk
from scribe_desktop.client import ScribeServerError, error_from_server
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.core.transcript import SegmentAdded, SegmentEnriched, TranscriptChange
from scribe_desktop.export.json_export import to_json_data
from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.connection import ClientConnection, ConnectionEvent
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    Word,
    WordType,
)
from scribe_desktop.session.file_transcription import (
    FileTranscription,
    FileTranscriptionError,
    StreamPolicy,
    TranscriptionIncomplete,
    transcribe_source,
)

CHUNK_S = 0.25
LOUD, QUIET = -20.0, -70.0
FAST = StreamPolicy(speed=None, idle_timeout_s=5.0)


class ScriptedSource:
    """An AudioSource of silent PCM whose chunks report the given levels."""

    def __init__(self, levels: list[float]) -> None:
        self.levels = levels
        self.name = "scripted"
        self.sample_rate_hz = 16000
        self.duration_s: float | None = len(levels) * CHUNK_S

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[AudioChunk]:
        for i, level in enumerate(self.levels):
            yield AudioChunk(pcm=b"\0\0" * 4000, start_s=i * CHUNK_S, duration_s=CHUNK_S,
                             rms_dbfs=level)


class FakeSession:
    """A scripted server behind the real sans-I/O connection: answers each commit with a
    committed transcript (+ timestamps) naming its index.

    `answer=False` never answers; `hold` makes answers wait until released; `error_after`
    sends a server error after that many audio chunks.
    """

    def __init__(self, *, answer: bool = True, timestamps: bool = True,
                 error_after: int | None = None) -> None:
        self.queue: asyncio.Queue[ConnectionEvent | BaseException | None] = asyncio.Queue()
        self.connection = ClientConnection.new(AudioFormat.PCM_16000, now=0.0)
        self.connection.receive_message(SessionStarted("f" * 32, {}))
        self.connection.events_received()
        self.answer = answer
        self.timestamps = timestamps
        self.error_after = error_after
        self.sent: list[bytes] = []
        self.commits_at: list[float] = []  # seconds of audio sent at each commit
        self.uncommitted = False
        self.hold = asyncio.Event()
        self.hold.set()
        self.progressed = asyncio.Event()  # set on every send and commit
        self.answered = asyncio.Event()  # set whenever the server sends something
        self.max_unanswered_s = 0.0
        self._answered_s = 0.0
        self.closed = False

    @property
    def sent_s(self) -> float:
        return len(self.sent) * CHUNK_S

    async def send_audio(self, pcm: bytes) -> None:
        if self.closed:
            raise ConnectionError("closed")
        self.sent.append(pcm)
        self.uncommitted = True
        self.progressed.set()
        self.max_unanswered_s = max(self.max_unanswered_s, self.sent_s - self._answered_s)
        self.connection.send_audio(pcm, self.sent_s)
        if len(self.sent) % 4 == 0:
            self.server_sends(PartialTranscript(f"partial {len(self.sent)}"))
        if self.error_after is not None and len(self.sent) >= self.error_after:
            self.queue.put_nowait(error_from_server(
                ServerError(ErrorType.QUEUE_OVERFLOW, "too fast")))
            self.closed = True

    def server_sends(self, message: ServerMessage) -> None:
        self.connection.receive_message(message)
        for event in self.connection.events_received():
            self.queue.put_nowait(event)
        self.answered.set()

    @property
    def buffered_s(self) -> float:
        return self.connection.uplink.replay_s

    async def settle(self) -> None:
        while (wait := self.connection.answers_settled(self.sent_s)) is not None:
            self.answered.clear()
            await self.answered.wait()
            del wait

    async def commit(self, *, final: bool = False) -> int | None:
        request = self.connection.commit(self.sent_s, final=final)
        if request is None:
            return None
        self.uncommitted = False
        self.commits_at.append(self.sent_s)
        self.progressed.set()
        if self.answer:
            asyncio.get_running_loop().create_task(self._answer(len(self.commits_at),
                                                                 self.sent_s))
        return request

    async def _answer(self, n: int, at_s: float) -> None:
        await self.hold.wait()
        text = f"segment {n}"
        self.server_sends(CommittedTranscript(text))
        self._answered_s = at_s
        if self.timestamps:
            words = (Word("segment", at_s - 1, at_s - 0.5, WordType.WORD),
                     Word(" ", at_s - 0.5, at_s - 0.5, WordType.SPACING),
                     Word(str(n), at_s - 0.5, at_s, WordType.WORD))
            self.server_sends(CommittedTranscriptWithTimestamps(text, "en", words))

    async def wait_until(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not condition():
                self.progressed.clear()
                await self.progressed.wait()

    async def events(self) -> AsyncIterator[ConnectionEvent]:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


async def test_a_short_file_is_committed_once_and_collected() -> None:
    """All audio is sent, one commit closes it, and the committed text comes back."""
    session = FakeSession()
    transcript, commits = await transcribe_source(ScriptedSource([LOUD] * 20), session,
                                                  policy=FAST)
    assert session.sent_s == 5.0
    assert commits == 1 and session.commits_at == [5.0]
    assert transcript.text == "segment 1"
    assert transcript.segments[0].words is not None  # the enrichment was awaited (rule C4)
    assert transcript.segments[0].solicited


async def test_long_files_commit_at_a_pause() -> None:
    """After commit_after_s of audio the first quiet chunk gets a commit (§10.1)."""
    levels = [LOUD] * 90 + [QUIET] + [LOUD] * 60  # a pause at 22.5-22.75 s
    session = FakeSession()
    transcript, commits = await transcribe_source(ScriptedSource(levels), session, policy=FAST)
    assert session.commits_at == [22.75, 37.75]
    assert commits == 2
    assert transcript.text == "segment 1 segment 2"


async def test_long_files_without_pauses_commit_at_the_limit() -> None:
    """Without a pause a commit is forced every commit_force_s seconds of audio."""
    session = FakeSession()
    await transcribe_source(ScriptedSource([LOUD] * 260), session, policy=FAST)
    assert session.commits_at == [30.0, 60.0, 65.0]


async def test_audio_in_flight_is_bounded_by_answered_commits() -> None:
    """The sender never runs more than max_ahead_s past the last answered commit."""
    session = FakeSession()
    session.hold.clear()
    policy = StreamPolicy(speed=None, commit_after_s=2.0, commit_force_s=2.0, max_ahead_s=5.0,
                          idle_timeout_s=5.0)
    task = asyncio.create_task(transcribe_source(ScriptedSource([LOUD] * 80), session,
                                                 policy=policy))
    await session.wait_until(lambda: session.sent_s >= 5.25)  # max_ahead_s + 1 chunk
    for _ in range(20):  # give the sender every chance to overrun the window
        await asyncio.sleep(0)
    assert session.sent_s == 5.25  # stalled: nothing answered yet
    session.hold.set()
    transcript, commits = await asyncio.wait_for(task, 5)
    assert session.sent_s == 20.0 and commits == 10
    assert session.max_unanswered_s <= 5.25
    assert len(transcript.segments) == 10


async def test_a_server_error_ends_the_transcription_and_keeps_what_was_committed() -> None:
    """A server error while streaming surfaces as its typed cause; the segments committed
    before it are kept."""
    session = FakeSession(error_after=30)
    policy = StreamPolicy(speed=None, commit_after_s=2.0, commit_force_s=2.0, max_ahead_s=5.0,
                          idle_timeout_s=5.0)
    with pytest.raises(TranscriptionIncomplete) as info:
        await transcribe_source(ScriptedSource([LOUD] * 40), session, policy=policy)
    assert isinstance(info.value.cause, ScribeServerError)
    assert "queue_overflow" in str(info.value.cause)
    assert [s.text for s in info.value.transcript.segments][:2] == ["segment 1", "segment 2"]


async def test_a_silent_server_times_out() -> None:
    """No answer to the final commit within idle_timeout_s gives a clear error."""
    session = FakeSession(answer=False)
    policy = StreamPolicy(speed=None, idle_timeout_s=0.2)
    with pytest.raises(TranscriptionIncomplete) as info:
        await transcribe_source(ScriptedSource([LOUD] * 4), session, policy=policy)
    assert isinstance(info.value.cause, FileTranscriptionError)
    assert "no final transcript" in str(info.value.cause)


async def test_a_session_that_ends_early_is_reported() -> None:
    """A session that closes before answering the final commit is an error, not a hang."""
    session = FakeSession(answer=False)
    task = asyncio.create_task(transcribe_source(ScriptedSource([LOUD] * 4), session,
                                                 policy=FAST))
    await session.wait_until(lambda: bool(session.commits_at))
    session.queue.put_nowait(None)
    with pytest.raises(TranscriptionIncomplete, match="before the final transcript"):
        await asyncio.wait_for(task, 5)


async def test_missing_timestamps_do_not_block_the_end() -> None:
    """A server that never sends timestamps still finishes, after a short grace."""
    session = FakeSession(timestamps=False)
    policy = StreamPolicy(speed=None, idle_timeout_s=5.0, enrichment_grace_s=0.05)
    transcript, _ = await asyncio.wait_for(
        transcribe_source(ScriptedSource([LOUD] * 4), session, policy=policy), 2)
    assert transcript.text == "segment 1"


async def test_progress_reports_seconds_sent() -> None:
    """The progress callback sees seconds sent and the total, up to the whole file."""
    seen: list[tuple[float, float | None]] = []
    await transcribe_source(ScriptedSource([LOUD] * 8), FakeSession(), policy=FAST,
                            on_progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0.25, 2.0) and seen[-1] == (2.0, 2.0) and len(seen) == 8


async def test_export_session_has_segments_words_and_file_facts() -> None:
    """The exportable result names file, duration and backend, with timed segments and words."""
    session = FakeSession()
    levels = [LOUD] * 90 + [QUIET] + [LOUD] * 10
    transcript, commits = await transcribe_source(ScriptedSource(levels), session, policy=FAST)
    result = FileTranscription(file=Path("a.wav"), duration_s=25.25, backend=BackendKind.LOCAL,
                               transcript=transcript, commits_sent=commits)
    data = to_json_data(result.export_session())
    assert {k: data["session"][k] for k in ("file", "duration_s", "backend", "source")} == {
        "file": "a.wav", "duration_s": 25.25, "backend": "local", "source": "file"}
    assert (data["text"], data["language_code"]) == ("segment 1 segment 2", "en")
    first = data["segments"][0]
    assert first["start_s"] == 21.75 and first["end_s"] == 22.75
    assert "".join(w["text"] for w in first["words"]) == first["text"]
    assert [w["type"] for w in first["words"]] == ["word", "spacing", "word"]


def test_policy_refuses_a_window_that_could_deadlock() -> None:
    """A flow-control window smaller than the commit interval is refused."""
    with pytest.raises(ValueError, match="max_ahead_s"):
        StreamPolicy(commit_force_s=30.0, max_ahead_s=20.0)


async def test_each_segment_is_reported_as_it_is_committed() -> None:
    """`on_change` sees each committed segment, then its timestamps, before the file ends."""
    session = FakeSession()
    session.hold.clear()
    changes: list[TranscriptChange] = []
    first = asyncio.Event()

    def on_change(change: TranscriptChange) -> None:
        changes.append(change)
        if isinstance(change, SegmentEnriched):
            first.set()

    policy = StreamPolicy(speed=None, commit_after_s=2.0, commit_force_s=2.0, max_ahead_s=5.0,
                          idle_timeout_s=5.0)
    task = asyncio.create_task(transcribe_source(ScriptedSource([LOUD] * 40), session,
                                                 policy=policy, on_change=on_change))
    await session.wait_until(lambda: len(session.commits_at) >= 2)
    assert not any(isinstance(c, SegmentAdded) for c in changes)  # nothing answered yet
    session.hold.set()
    await asyncio.wait_for(first.wait(), 5)
    assert not task.done()  # the first segment arrives while the file is still going
    transcript, commits = await asyncio.wait_for(task, 5)
    added = [c.segment for c in changes if isinstance(c, SegmentAdded)]
    enriched = [c.segment for c in changes if isinstance(c, SegmentEnriched)]
    assert [s.text for s in added] == [f"segment {n}" for n in range(1, commits + 1)]
    assert enriched == transcript.segments and all(s.words for s in enriched)
