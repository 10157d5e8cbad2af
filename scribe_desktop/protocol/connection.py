"""The client side of one realtime session, both directions, sans-I/O. Stdlib only, no clock.

In the manner of websockets' `Protocol` and h11's `Connection`: the I/O layer hands every
received frame to `receive_frame()` and then takes `events_received()`; it calls `send_*()`
and writes whatever `data_to_send()` returns, in order. The object decides everything the
protocol asks of a client; the asyncio client around it only moves frames.

Receive rules applied here (protocol doc, "Our client"):

* C1: until `session_started` nothing may be sent; an error frame before it fails the
  connection.
* C3: a partial that repeats the text just committed (the "echo" partial) is dropped.
* C4: `committed_transcript_with_timestamps` enriches the commit before it (`CommitTimed`),
  never adds its text again; one with no plain commit before it is the only delivery and
  becomes the `Commit` itself.
* C5: each `committed_transcript` is attributed: the answer to our oldest unanswered commit
  request (`Commit.answers`), or the server's own (VAD or automatic) commit. While one of
  our requests is pending and the server may also commit on its own, the attribution is
  FIFO and `Commit.certain` is False.
* B2: an error frame fails the connection (`ServerFailed`); the server closes after it.

The send rules (C6-C9, keep-alive, replay) live in `uplink.Uplink`, which this owns.
Callers pass timestamps from any monotonic clock. Not thread-safe: one owner.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .audio_format import AudioFormat
from .codec import DecodeError, decode_server_message, encode_client_message
from .messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    Word,
)
from .options import CommitStrategy
from .uplink import ReplayPlan, Uplink

# The service commits on its own after this much uncommitted audio in manual mode (§10.2:
# documented 90 s, observed ≈36 s); below it a commit can only be the answer to ours.
SERVER_AUTO_COMMIT_FLOOR_S = 30.0


class ConnectionState(Enum):
    AWAITING_START = "awaiting_start"  # socket open, no session_started yet (C1)
    OPEN = "open"
    FAILED = "failed"  # an error frame arrived (B2)


class ProtocolViolation(RuntimeError):
    """The caller asked for something the protocol forbids in this state (e.g. audio before
    session_started, rule C1)."""


@dataclass(frozen=True, slots=True)
class Started:
    """`session_started`: the session is open (C1); `config` is opaque (C2)."""

    session_id: str
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Partial:
    """The whole uncommitted segment so far; it replaces the previous one (C3)."""

    text: str


@dataclass(frozen=True, slots=True)
class Commit:
    """A committed segment (text may be empty, C5).

    `index` numbers the commits of the stream (across reconnects) from 0. `answers` is the
    number of our commit request it answers (1-based, see `ClientConnection.commit`), or
    None for a commit the server made on its own. `words` is set only when the timestamped
    form was the only delivery (C4)."""

    index: int
    text: str
    answers: int | None
    certain: bool = True
    words: tuple[Word, ...] | None = None
    language_code: str | None = None

    @property
    def ours(self) -> bool:
        return self.answers is not None


@dataclass(frozen=True, slots=True)
class CommitTimed:
    """Word timings (and language) of the commit numbered `index` (C4)."""

    index: int
    text: str
    words: tuple[Word, ...] | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class ServerFailed:
    """An error frame (B2): the server closes the session after it."""

    error: ServerError


@dataclass(frozen=True, slots=True)
class Passed:
    """Any other message, as decoded (entities, final transcripts, unknown types: B1)."""

    message: ServerMessage


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A frame that could not be decoded; skipped, never fatal (B1)."""

    reason: str


ConnectionEvent = Started | Partial | Commit | CommitTimed | ServerFailed | Passed | Undecodable


class ClientConnection:
    """One connection's protocol state; see the module docstring."""

    def __init__(self, uplink: Uplink, *,
                 commit_strategy: CommitStrategy = CommitStrategy.MANUAL,
                 first_commit_index: int = 0, first_request: int = 1) -> None:
        """`first_commit_index` / `first_request` continue the numbering of a previous
        connection of the same stream (see `successor`)."""
        self.uplink = uplink
        self.commit_strategy = commit_strategy
        self.state = ConnectionState.AWAITING_START
        self.session_id: str | None = None
        self.error: ServerError | None = None
        self.decode_errors = 0
        self._events: list[ConnectionEvent] = []
        self._outgoing: list[str] = []
        self._next_index = first_commit_index
        self._next_request = first_request
        self._pending: deque[int] = deque()  # our request numbers awaiting an answer
        self._echo_candidate: str | None = None
        self._awaiting_timestamps: int | None = None  # commit index the next CommitTimed is for
        self._last_commit_text: str | None = None

    @classmethod
    def new(cls, audio_format: AudioFormat, *, now: float,
            commit_strategy: CommitStrategy = CommitStrategy.MANUAL,
            previous_text: str | None = None, **uplink_options: Any) -> ClientConnection:
        return cls(Uplink(audio_format, now=now, previous_text=previous_text,
                          **uplink_options), commit_strategy=commit_strategy)

    # --- state ------------------------------------------------------------------------------

    @property
    def pending_requests(self) -> tuple[int, ...]:
        """Our commit requests not answered yet, oldest first."""
        return tuple(self._pending)

    @property
    def last_request(self) -> int:
        """The number of our most recent commit request (0: none yet)."""
        return self._next_request - 1

    @property
    def next_commit_index(self) -> int:
        return self._next_index

    def server_may_commit(self) -> bool:
        """Whether a commit the server makes on its own can arrive now (C5): always with
        server-side segmentation, and in manual mode once enough audio is uncommitted."""
        if self.commit_strategy is not CommitStrategy.MANUAL:
            return True
        return self.uplink.uncommitted_s >= SERVER_AUTO_COMMIT_FLOOR_S

    # --- sending ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.state is ConnectionState.AWAITING_START:
            raise ProtocolViolation("no audio may be sent before session_started (rule C1)")
        if self.state is ConnectionState.FAILED:
            raise ProtocolViolation("the session failed; nothing more may be sent")

    def send_audio(self, pcm: bytes, now: float) -> None:
        """Queue `pcm` (raw audio in the session format) as chunks of <= max_chunk_s (C9)."""
        self._check_open()
        self._outgoing.extend(encode_client_message(c) for c in self.uplink.audio(pcm, now))

    def commit(self, now: float) -> int | None:
        """Queue a commit request; its number (answered by a `Commit` whose `answers` is
        it), or None when it was skipped because nothing new was sent (C6)."""
        self._check_open()
        chunks = self.uplink.commit(now)
        if not chunks:
            return None
        self._outgoing.extend(encode_client_message(c) for c in chunks)
        request = self._next_request
        self._next_request += 1
        self._pending.append(request)
        return request

    def keepalive(self, now: float) -> bool:
        """Queue keep-alive silence if it is due (C7); whether it was."""
        if self.state is not ConnectionState.OPEN:
            return False
        chunk = self.uplink.keepalive(now)
        if chunk is None:
            return False
        self._outgoing.append(encode_client_message(chunk))
        return True

    def data_to_send(self) -> list[str]:
        """The text frames to write, in order (emptied by the call)."""
        out, self._outgoing = self._outgoing, []
        return out

    # --- receiving --------------------------------------------------------------------------

    def receive_frame(self, frame: str | bytes) -> None:
        """Decode and apply one received frame; its events go to `events_received()`."""
        try:
            message = decode_server_message(frame)
        except DecodeError as exc:
            self.decode_errors += 1
            self._events.append(Undecodable(str(exc)))
            return
        self.receive_message(message)

    def receive_message(self, message: ServerMessage) -> None:
        """Apply an already decoded message (what `receive_frame` does after decoding)."""
        if self.state is ConnectionState.FAILED:
            return  # the server closes after its error (B2); anything later is noise
        if isinstance(message, ServerError):
            self.state = ConnectionState.FAILED
            self.error = message
            self._events.append(ServerFailed(message))
            return
        if self.state is ConnectionState.AWAITING_START:
            if isinstance(message, SessionStarted):
                self.state = ConnectionState.OPEN
                self.session_id = message.session_id
                self._events.append(Started(message.session_id, message.config))
            else:
                self._events.append(Passed(message))  # odd, but lenient (B1)
            return
        match message:
            case PartialTranscript(text):
                self._partial(text)
            case CommittedTranscript(text):
                self._committed(text)
            case CommittedTranscriptWithTimestamps():
                self._timestamps(message)
            case _:
                self._events.append(Passed(message))

    def events_received(self) -> list[ConnectionEvent]:
        """Events of the frames received so far (emptied by the call)."""
        out, self._events = self._events, []
        return out

    def _partial(self, text: str) -> None:
        if self._echo_candidate is not None:
            echo, self._echo_candidate = self._echo_candidate, None
            if text.strip() == echo.strip():
                return  # C3: the echo of the commit just received
        self._events.append(Partial(text))

    def _attribute(self) -> tuple[int | None, bool]:
        """(request answered, certain) for a commit arriving now (C5)."""
        certain = not self.server_may_commit()
        if self._pending:
            return self._pending.popleft(), certain
        return None, True

    def _committed(self, text: str, *, words: tuple[Word, ...] | None = None,
                   language_code: str | None = None) -> Commit:
        answers, certain = self._attribute()
        self.uplink.on_committed(text, solicited=answers is not None)
        commit = Commit(self._next_index, text, answers, certain, words, language_code)
        self._next_index += 1
        self._awaiting_timestamps = commit.index if words is None else None
        self._echo_candidate = text if text.strip() else None
        self._last_commit_text = text
        self._events.append(commit)
        return commit

    def _timestamps(self, msg: CommittedTranscriptWithTimestamps) -> None:
        index, self._awaiting_timestamps = self._awaiting_timestamps, None
        if index is not None:
            self._events.append(CommitTimed(index, msg.text, msg.words, msg.language_code))
            return
        if self._last_commit_text is not None and \
                self._last_commit_text.strip() == msg.text.strip() and msg.text.strip():
            return  # a repeated delivery of what was just committed (C4)
        # the only delivery of this commit (C4)
        self._committed(msg.text, words=msg.words, language_code=msg.language_code)

    # --- reconnecting -----------------------------------------------------------------------

    def successor(self, now: float) -> tuple[ClientConnection, ReplayPlan]:
        """A fresh connection continuing this stream: its uplink is seeded with the committed
        text's tail as previous_text (C8), numbering continues, and the plan says what to
        replay first (audio no commit covers, with the commits we had asked for, C11).
        Requests still pending here are abandoned: the replay asks for them again, under
        new numbers."""
        uplink, plan = self.uplink.successor(now)
        nxt = ClientConnection(uplink, commit_strategy=self.commit_strategy,
                               first_commit_index=self._next_index,
                               first_request=self._next_request)
        return nxt, plan


def as_message(event: ConnectionEvent) -> ServerMessage | None:
    """The wire message an event came from (None for `Undecodable`), e.g. to log it."""
    match event:
        case Started(session_id, config):
            return SessionStarted(session_id, config)
        case Partial(text):
            return PartialTranscript(text)
        case Commit(text=text, words=None):
            return CommittedTranscript(text)
        case Commit():
            return CommittedTranscriptWithTimestamps(event.text, event.language_code,
                                                     event.words)
        case CommitTimed(text=text, words=words, language_code=language):
            return CommittedTranscriptWithTimestamps(text, language, words)
        case ServerFailed(error):
            return error
        case Passed(message):
            return message
    return None
