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
* C5: each `committed_transcript` is attributed (`attribution.CommitAttribution`): the
  answer to our oldest unanswered commit request (`Commit.answers`), or the server's own
  (VAD or automatic) commit. In doubt `Commit.certain` is False, and `answers_settled()`
  waits for the server to go quiet before our answers count as complete.
* B2: an error frame fails the connection (`ServerFailed`); the server closes after it.

Word times are moved to the caller's clock: the silence the client inserted (padding,
keep-alive) is taken out, and across reconnects (`successor()`) `offset_s` says where this
connection's time 0 lies in the caller's audio. Audio no commit provably covers is
replayed, and words the replay repeats from what was already committed are cut from the
first commit of the new connection (`overlap`).

The send rules (C6-C9, keep-alive, replay) live in `uplink.Uplink`, which this owns.
Callers pass timestamps from any monotonic clock. Not thread-safe: one owner.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from .attribution import (
    AUTO_COMMIT_CONFIG_KEY,
    SERVER_AUTO_COMMIT_FLOOR_S,
    CommitAttribution,
    announced_auto_commit_s,
    commit_padding_s,
)
from .audio_format import AudioFormat
from .codec import DecodeError, decode_server_message, encode_client_message
from .errors import ErrorType
from .events import (
    Commit,
    CommitTimed,
    ConnectionEvent,
    EntitiesFound,
    Partial,
    Passed,
    Redacted,
    ServerFailed,
    Started,
    Undecodable,
    as_message,
)
from .messages import (
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    RedactedTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    Word,
)
from .options import CommitStrategy
from .overlap import ReplayOverlap, drop_word_items, drop_words, map_word_times
from .redacted import annotation
from .replay import ReplayPlan, ServerCommitReach
from .uplink import Uplink

__all__ = [
    "AUTO_COMMIT_CONFIG_KEY", "DEFAULT_VAD_SILENCE_S", "SERVER_AUTO_COMMIT_FLOOR_S",
    "ClientConnection", "Commit", "CommitTimed", "ConnectionEvent", "ConnectionState",
    "EntitiesFound", "Partial", "Passed", "ProtocolViolation", "Redacted", "ServerFailed",
    "Started", "Undecodable", "as_message",
]

DEFAULT_VAD_SILENCE_S = 1.5  # §4 default of vad_silence_threshold_secs


class ConnectionState(Enum):
    AWAITING_START = "awaiting_start"  # socket open, no session_started yet (C1)
    OPEN = "open"
    FAILED = "failed"  # an error frame arrived (B2)


class ProtocolViolation(RuntimeError):
    """The caller asked for something the protocol forbids in this state (e.g. audio before
    session_started, rule C1)."""


class ClientConnection:
    """One connection's protocol state; see the module docstring."""

    def __init__(self, uplink: Uplink, *,
                 commit_strategy: CommitStrategy = CommitStrategy.MANUAL,
                 vad_silence_s: float = DEFAULT_VAD_SILENCE_S, offset_s: float = 0.0,
                 first_commit_index: int = 0, first_request: int = 1,
                 round_trip_s: float | None = None, server_commits_seen: bool = False,
                 auto_commit_floor_s: float = SERVER_AUTO_COMMIT_FLOOR_S) -> None:
        """`offset_s`, `first_commit_index`, `first_request`, `round_trip_s` and what is known
        of the server's commits continue a previous connection of the same stream (see
        `successor`)."""
        self.uplink = uplink
        self.commit_strategy = commit_strategy
        self.vad_silence_s = vad_silence_s
        self.offset_s = offset_s
        self.state = ConnectionState.AWAITING_START
        self.session_id: str | None = None
        self.error: ServerError | None = None
        self.decode_errors = 0
        self._events: list[ConnectionEvent] = []
        self._outgoing: list[str] = []
        self._next_index = first_commit_index
        self._commits = CommitAttribution(
            commit_strategy, first_request=first_request, round_trip_s=round_trip_s,
            server_commits_seen=server_commits_seen, auto_commit_floor_s=auto_commit_floor_s)
        self._first_index = first_commit_index  # this connection's first commit
        self._echo_candidate: str | None = None
        self._awaiting_timestamps: int | None = None  # commit index the next CommitTimed is for
        self._last_commit_text: str | None = None
        self._overlap: ReplayOverlap | None = None
        self._trimmed: dict[int, int] = {}  # commit index -> leading words cut (overlap)
        self._reach = ServerCommitReach(uplink, commit_strategy, vad_silence_s)
        self.throttled_request: int | None = None  # our commit the server found redundant

    @classmethod
    def new(cls, audio_format: AudioFormat, *, now: float,
            commit_strategy: CommitStrategy = CommitStrategy.MANUAL,
            vad_silence_s: float = DEFAULT_VAD_SILENCE_S,
            previous_text: str | None = None, **uplink_options: Any) -> ClientConnection:
        return cls(Uplink(audio_format, now=now, previous_text=previous_text,
                          **uplink_options), commit_strategy=commit_strategy,
                   vad_silence_s=vad_silence_s)

    # --- state ------------------------------------------------------------------------------

    @property
    def pending_requests(self) -> tuple[int, ...]:
        """Our commit requests not answered yet, oldest first."""
        return tuple(request for request, _, _ in self._commits.pending)

    @property
    def last_request(self) -> int:
        """The number of our most recent commit request (0: none yet)."""
        return self._commits.next_request - 1

    @property
    def next_commit_index(self) -> int:
        return self._next_index

    @property
    def round_trip_s(self) -> float:
        return self._commits.round_trip_s

    @property
    def server_commits_seen(self) -> bool:
        return self._commits.server_commits_seen

    def server_may_commit(self) -> bool:
        """Whether a commit the server makes on its own can arrive now (C5)."""
        return self._commits.server_may_commit(self.uplink.uncommitted_s)

    def answers_settled(self, now: float) -> float | None:
        """None once every commit we asked for is answered beyond doubt; otherwise how long
        to wait before asking again (`math.inf`: until the next event). With attribution in
        doubt (C5), an answer we counted may have been the server's, and ours may still
        come: see `CommitAttribution.settle_wait`."""
        commits = self._commits
        wait = commits.settle_wait(now)
        if wait is None and commits.uncertain and commits.last_message_at is not None \
                and self.state is ConnectionState.OPEN:  # every answer is in: no more doubt
            self.uplink.resolve_doubt()
            commits.uncertain = False
        return wait

    @property
    def unresolved(self) -> bool:
        """Whether a commit of ours may still be unanswered: pending, or counted as answered
        by what may have been the server's own commit (its audio is replayed on reconnect)."""
        return bool(self._commits.pending) or self.uplink.in_doubt

    # --- sending ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.state is ConnectionState.AWAITING_START:
            raise ProtocolViolation("no audio may be sent before session_started (rule C1)")
        if self.state is ConnectionState.FAILED:
            raise ProtocolViolation("the session failed; nothing more may be sent")

    def send_audio(self, pcm: bytes, now: float, *, inserted: bool = False) -> None:
        """Queue `pcm` (raw audio in the session format) as chunks of <= max_chunk_s (C9).
        `inserted`: replayed silence we inserted before (`ReplayItem.inserted`)."""
        self._check_open()
        self._outgoing.extend(encode_client_message(c)
                              for c in self.uplink.audio(pcm, now, inserted=inserted))

    def commit(self, now: float, *, final: bool = False) -> int | None:
        """Queue a commit request; its number (answered by a `Commit` whose `answers` is
        it), or None when it was skipped because nothing new was sent (C6). It is padded
        with silence (`commit_padding_s`) so that it is not throttled even if the server
        committed on its own just before reading it; the padding is on the stream's clock
        only: word times leave it out (`Uplink.caller_s`)."""
        self._check_open()
        # before this commit resets the count: the server counts no more than we do, so an
        # automatic commit of its own could have come only if ours had reached its interval
        may_commit = self.server_may_commit()
        pad_s = commit_padding_s(self.commit_strategy, self.vad_silence_s,
                                 server_may_commit=may_commit, final=final)
        chunks = self.uplink.commit(now, min_pad_s=pad_s)
        if not chunks:
            return None
        self._outgoing.extend(encode_client_message(c) for c in chunks)
        return self._commits.requested(now, may_commit)

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

    def receive_frame(self, frame: str | bytes, now: float | None = None) -> None:
        """Decode and apply one received frame; its events go to `events_received()`.
        `now` (the caller's clock) lets the connection time the server's answers."""
        try:
            message = decode_server_message(frame)
        except DecodeError as exc:
            self.decode_errors += 1
            self._events.append(Undecodable(str(exc)))
            return
        self.receive_message(message, now)

    def receive_message(self, message: ServerMessage, now: float | None = None) -> None:
        """Apply an already decoded message (what `receive_frame` does after decoding)."""
        if now is not None:
            self._commits.last_message_at = now
        if self.state is ConnectionState.FAILED:
            return  # the server closes after its error (B2); anything later is noise
        if isinstance(message, ServerError):
            self.state = ConnectionState.FAILED
            self.error = message
            # A throttled commit met a commit the server had just made on its own (C5, C6):
            # that one covered the audio, and its answer came before this error. Without
            # doubt it was our oldest pending commit, now settled (a replay must not ask for
            # it again); in doubt, see `Uplink.on_throttled`.
            settled = message.error_type is ErrorType.COMMIT_THROTTLED \
                and self.uplink.on_throttled()
            if settled and self._commits.pending:
                self.throttled_request = self._commits.pending.popleft()[0]
            self._events.append(ServerFailed(message))
            return
        if self.state is ConnectionState.AWAITING_START:
            if isinstance(message, SessionStarted):
                self.state = ConnectionState.OPEN
                self.session_id = message.session_id
                self._commits.auto_commit_floor_s = announced_auto_commit_s(
                    message.config, self._commits.auto_commit_floor_s)
                self._events.append(Started(message.session_id, message.config))
            else:
                self._events.append(Passed(message))  # odd, but lenient (B1)
            return
        match message:
            case PartialTranscript(text):
                self._partial(text)
            case CommittedTranscript(text):
                self._committed(text, now)
            case CommittedTranscriptWithTimestamps():
                self._timestamps(message, now)
            case RedactedTranscript() | CommittedTranscriptEntities() \
                    if self._next_index > self._first_index:
                index = self._next_index - 1
                self._events.append(annotation(index, message, self._trimmed.get(index, 0)))
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

    def _committed(self, text: str, now: float | None, *,
                   words: tuple[Word, ...] | None = None,
                   language_code: str | None = None) -> Commit:
        answers, certain = self._commits.attribute(now, self.uplink.uncommitted_s)
        index = self._next_index
        self._next_index += 1
        sent = self.uplink.sent_bytes
        text, words = self._cut_overlap(index, text, words)
        if answers is None or not certain:
            # The server committed what it had processed by then: at least everything sent a
            # generous round trip before this arrived (bursts and processing lag included).
            # Only that leaves the replay buffer; the words' end times may trim more later.
            # An answer counted as ours but maybe the server's own is trimmed the same way
            # (the commit it was counted for stays in doubt until the answers settle).
            margin_s = self._commits.replay_margin_s
            covered = 0 if now is None else self.uplink.sent_before(now - margin_s)
            self.uplink.on_committed(text, solicited=answers is not None, doubtful=True,
                                     covered_bytes=covered)
            self._reach.committed(index, sent)
        else:
            self.uplink.on_committed(text, solicited=True)
        commit = Commit(index, text, answers, certain, self._caller_clock(words),
                        language_code)
        self._awaiting_timestamps = index if words is None else None
        self._echo_candidate = text if text.strip() else None
        self._last_commit_text = text
        self._events.append(commit)
        if words is not None:
            self._reach.timed(index, words)
        return commit

    def _timestamps(self, msg: CommittedTranscriptWithTimestamps, now: float | None) -> None:
        index, self._awaiting_timestamps = self._awaiting_timestamps, None
        if index is not None:
            words = msg.words
            cut = self._trimmed.get(index, 0)
            if cut and words is not None:
                words = drop_word_items(words, cut)
            text = drop_words(msg.text, cut)
            if words is not None:
                self._reach.timed(index, msg.words or ())
            self._events.append(CommitTimed(index, text, self._caller_clock(words),
                                            msg.language_code))
            return
        if self._last_commit_text is not None and \
                self._last_commit_text.strip() == msg.text.strip() and msg.text.strip():
            return  # a repeated delivery of what was just committed (C4)
        # the only delivery of this commit (C4)
        self._committed(msg.text, now, words=msg.words, language_code=msg.language_code)

    def _caller_clock(self, words: tuple[Word, ...] | None) -> tuple[Word, ...] | None:
        """Word times from this session's stream clock to the caller's: the silence we
        inserted taken out (padding, keep-alive), then where this session began in the
        caller's audio (`offset_s`) added. Exports and subtitles stay on the audio's time."""
        return map_word_times(words, lambda t: self.offset_s + self.uplink.caller_s(t))

    def _cut_overlap(self, index: int, text: str, words: tuple[Word, ...] | None,
                     ) -> tuple[str, tuple[Word, ...] | None]:
        """Cut, from the first non-empty commit after a reconnect, the words the replay
        repeated from what the old connection had committed."""
        overlap = self._overlap
        if overlap is None or not text.strip():
            return text, words
        text, words, cut = overlap.cut(text, words)
        if overlap.done:
            self._overlap = None
        if cut:
            self._trimmed[index] = cut
        return text, words

    # --- reconnecting -----------------------------------------------------------------------

    def successor(self, now: float) -> tuple[ClientConnection, ReplayPlan]:
        """A fresh connection continuing this stream: its uplink is seeded with the committed
        text's tail as previous_text (C8), times and numbering continue, and the plan says
        what to replay first (audio no commit provably covers, with the commits we had asked
        for, C11). Requests still pending here are abandoned: the replay asks for them
        again, under new numbers."""
        start = self.uplink.replay_start
        offset_s = self.offset_s + self.uplink.caller_s(self.uplink.audio_format.duration_s(
            start if start is not None else self.uplink.sent_bytes))
        uplink, plan = self.uplink.successor(now)
        nxt = ClientConnection(uplink, commit_strategy=self.commit_strategy,
                               vad_silence_s=self.vad_silence_s, offset_s=offset_s,
                               first_commit_index=self._next_index,
                               first_request=self._commits.next_request,
                               round_trip_s=self._commits.slowest_round_trip_s,
                               server_commits_seen=self._commits.server_commits_seen,
                               auto_commit_floor_s=self._commits.auto_commit_floor_s)
        reach = self._reach.maybe_committed
        nxt._overlap = ReplayOverlap.after_reconnect(
            self._overlap, self.uplink.committed_tail,
            0.0 if start is None else self.uplink.audio_format.duration_s(max(0, reach - start)))
        return nxt, plan
