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
  FIFO and `Commit.certain` is False; `answers_settled()` then waits for the server to go
  quiet before our answers count as complete.
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

import math
from collections import deque
from collections.abc import Mapping
from enum import Enum
from typing import Any

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
    WordType,
)
from .options import MIN_COMMIT_AUDIO_S, CommitStrategy
from .overlap import (
    WORDS_PER_S_MAX,
    ReplayOverlap,
    drop_word_items,
    drop_words,
    map_word_times,
    words_of,
)
from .redacted import cut_entities, cut_redacted
from .uplink import ReplayPlan, Uplink

__all__ = [
    "AUTO_COMMIT_CONFIG_KEY", "DEFAULT_VAD_SILENCE_S", "SERVER_AUTO_COMMIT_FLOOR_S",
    "ClientConnection", "Commit",
    "CommitTimed", "ConnectionEvent", "ConnectionState", "EntitiesFound", "Partial", "Passed",
    "ProtocolViolation", "Redacted", "ServerFailed", "Started", "Undecodable", "as_message",
]

# The service commits on its own after this much uncommitted audio in manual mode (§10.2:
# documented 90 s, observed ≈36 s); below it a commit can only be the answer to ours. A
# server may announce its own interval (`AUTO_COMMIT_CONFIG_KEY` in session_started.config,
# which our local server does); it is read when present, never required (C2).
SERVER_AUTO_COMMIT_FLOOR_S = 30.0
AUTO_COMMIT_CONFIG_KEY = "auto_commit_interval_secs"
DEFAULT_VAD_SILENCE_S = 1.5  # §4 default of vad_silence_threshold_secs
DEFAULT_ROUND_TRIP_S = 1.0  # assumed commit round trip before one was measured
REPLAY_MARGIN_MIN_S = 2.0  # a server commit surely covers audio sent this long before it
SETTLE_MIN_S, SETTLE_MAX_S = 0.3, 5.0
# a server that commits at a pause sees one at its chunk boundaries: up to one chunk late
PAUSE_CHUNK_S = 0.25
VAD_TAIL_S = 0.25  # see ClientConnection._vad_tail_s


def announced_auto_commit_s(config: Mapping[str, Any], default: float) -> float:
    """The automatic-commit interval a server announced in session_started.config, if it
    did (a number >= 0; 0: it may commit at any moment), else `default`."""
    value = config.get(AUTO_COMMIT_CONFIG_KEY) if isinstance(config, Mapping) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


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
        self._first_index = first_commit_index  # this connection's first commit
        self._next_request = first_request
        # (request, sent at, whether the server could have committed on its own by then)
        self._pending: deque[tuple[int, float | None, bool]] = deque()
        self._echo_candidate: str | None = None
        self._awaiting_timestamps: int | None = None  # commit index the next CommitTimed is for
        self._last_commit_text: str | None = None
        self._round_trip_s = round_trip_s  # the slowest answer to one of our commits so far
        self._last_message_at: float | None = None
        self._uncertain = False  # an answer since our last request may have been the server's
        self._overlap: ReplayOverlap | None = None
        self._trimmed: dict[int, int] = {}  # commit index -> leading words cut (overlap)
        self._unsolicited_at: dict[int, int] = {}  # server commit index -> bytes sent then,
        # until its timings arrive
        self._maybe_committed = 0  # stream offset up to which a server commit may reach
        self.server_commits_seen = server_commits_seen
        self.auto_commit_floor_s = auto_commit_floor_s
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
        return tuple(request for request, _, _ in self._pending)

    @property
    def last_request(self) -> int:
        """The number of our most recent commit request (0: none yet)."""
        return self._next_request - 1

    @property
    def next_commit_index(self) -> int:
        return self._next_index

    @property
    def round_trip_s(self) -> float:
        """The slowest commit -> answer time seen on this stream (a default before any)."""
        return DEFAULT_ROUND_TRIP_S if self._round_trip_s is None else self._round_trip_s

    @property
    def replay_margin_s(self) -> float:
        """How long before its arrival a server's own commit surely covered what was sent."""
        return max(REPLAY_MARGIN_MIN_S, 1.5 * self.round_trip_s)

    def server_may_commit(self) -> bool:
        """Whether a commit the server makes on its own can arrive now (C5): always with
        server-side segmentation or once the server has shown it commits on its own, and in
        manual mode once enough audio is uncommitted for its automatic commit."""
        if self.commit_strategy is not CommitStrategy.MANUAL or self.server_commits_seen:
            return True
        return self.uplink.uncommitted_s >= self.auto_commit_floor_s

    def answers_settled(self, now: float) -> float | None:
        """None once every commit we asked for is answered beyond doubt; otherwise how long
        to wait before asking again (`math.inf`: until the next event).

        With attribution in doubt (C5: the server may have committed on its own while ours
        was pending), an answer we counted may have been the server's, and ours may still
        come: the server must also have been quiet for twice the slowest round trip seen.
        """
        if self._pending:
            return math.inf
        if not self._uncertain or self._last_message_at is None:
            return None
        quiet_for = now - self._last_message_at
        needed = min(max(2 * self.round_trip_s, SETTLE_MIN_S), SETTLE_MAX_S)
        if quiet_for < needed:
            return needed - quiet_for
        if self.state is ConnectionState.OPEN:  # every answer is in: no more doubt
            self.uplink.resolve_doubt()
            self._uncertain = False
        return None

    @property
    def unresolved(self) -> bool:
        """Whether a commit of ours may still be unanswered: pending, or counted as answered
        by what may have been the server's own commit (its audio is replayed on reconnect)."""
        return bool(self._pending) or self.uplink.in_doubt

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
        it), or None when it was skipped because nothing new was sent (C6).

        The commit is padded so that it is not throttled even if the server committed on its
        own just before reading it (C6 with C5). When the server may segment by VAD, or this
        is the `final` commit, the padding is the VAD silence plus 0.3 s (its VAD then commits
        any speech within the padding, leaving 0.3 s for ours); while a manual-mode server
        may commit on its own (at a pause, which the padding is), twice 0.3 s plus a chunk;
        any other final commit 0.3 s. The padding is silence on the stream's clock only:
        word times leave it out (`Uplink.caller_s`). Should a commit still be throttled, see
        `Uplink.on_throttled`: nothing is lost."""
        self._check_open()
        # before this commit resets the count: the server counts no more than we do, so an
        # automatic commit of its own could have come only if ours had reached its interval
        may_commit = self.server_may_commit()
        min_pad_s = 0.0
        if may_commit and (final or self.commit_strategy is not CommitStrategy.MANUAL):
            min_pad_s = self.vad_silence_s + MIN_COMMIT_AUDIO_S
        elif may_commit:
            min_pad_s = 2 * MIN_COMMIT_AUDIO_S + PAUSE_CHUNK_S
        elif final:
            min_pad_s = MIN_COMMIT_AUDIO_S
        chunks = self.uplink.commit(now, min_pad_s=min_pad_s)
        if not chunks:
            return None
        self._outgoing.extend(encode_client_message(c) for c in chunks)
        request = self._next_request
        self._next_request += 1
        self._pending.append((request, now, may_commit))
        self._uncertain = False  # from now on, only answers to this request matter
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
            self._last_message_at = now
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
            if settled and self._pending:
                self.throttled_request = self._pending.popleft()[0]
            self._events.append(ServerFailed(message))
            return
        if self.state is ConnectionState.AWAITING_START:
            if isinstance(message, SessionStarted):
                self.state = ConnectionState.OPEN
                self.session_id = message.session_id
                self.auto_commit_floor_s = announced_auto_commit_s(message.config,
                                                                   self.auto_commit_floor_s)
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
                self._annotation(message)
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

    def _attribute(self, now: float | None) -> tuple[int | None, bool]:
        """(request answered, certain) for a commit arriving now (C5)."""
        if not self._pending:
            self.server_commits_seen = True
            self._uncertain = True
            return None, True
        request, sent_at, could = self._pending.popleft()
        certain = not (could or self.server_may_commit())
        if not certain:
            # if this was the server's own commit, it commits on its own from anywhere it
            # chooses: our later requests cannot be told from its commits either
            self.server_commits_seen = True
        if certain and sent_at is not None and now is not None:
            # only a certain answer times a round trip: the server's own commit, counted
            # for ours, can arrive any time after our request (and would make it look short)
            self._round_trip_s = max(self._round_trip_s or 0.0, now - sent_at)
        if not certain:
            self._uncertain = True
        return request, certain

    def _committed(self, text: str, now: float | None, *,
                   words: tuple[Word, ...] | None = None,
                   language_code: str | None = None) -> Commit:
        answers, certain = self._attribute(now)
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
            covered = 0 if now is None else self.uplink.sent_before(now - self.replay_margin_s)
            self.uplink.on_committed(text, solicited=answers is not None, doubtful=True,
                                     covered_bytes=covered)
            self._unsolicited_at[index] = sent
            self._maybe_committed = sent
        else:
            self.uplink.on_committed(text, solicited=True)
        commit = Commit(index, text, answers, certain, self._caller_clock(words),
                        language_code)
        self._awaiting_timestamps = index if words is None else None
        self._echo_candidate = text if text.strip() else None
        self._last_commit_text = text
        self._events.append(commit)
        if words is not None:
            self._trim_replay_to_words(index, words)
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
                self._trim_replay_to_words(index, msg.words or ())
            self._events.append(CommitTimed(index, text, self._caller_clock(words),
                                            msg.language_code))
            return
        if self._last_commit_text is not None and \
                self._last_commit_text.strip() == msg.text.strip() and msg.text.strip():
            return  # a repeated delivery of what was just committed (C4)
        # the only delivery of this commit (C4)
        self._committed(msg.text, now, words=msg.words, language_code=msg.language_code)

    def _annotation(self, message: RedactedTranscript | CommittedTranscriptEntities) -> None:
        """§6.7/§6.8: the entity messages follow the commit they describe (after its
        timestamps); they get its index and lose what the replay overlap cut from it."""
        index = self._next_index - 1
        cut = self._trimmed.get(index, 0)
        text = drop_words(message.text, cut)
        if isinstance(message, RedactedTranscript):
            self._events.append(Redacted(index, text, cut_redacted(
                message.text, message.redacted_text, cut)))
        else:
            self._events.append(EntitiesFound(index, text, cut_entities(
                message.text, message.entities, cut)))

    def _trim_replay_to_words(self, index: int, words: tuple[Word, ...]) -> None:
        """A server commit's last word ends where its speech ended: the audio up to there is
        committed beyond doubt (session clock, before any shift)."""
        if index not in self._unsolicited_at:
            return
        if not words:
            self._unsolicited_at.pop(index)
            return
        ends = [w.end_s for w in words if w.type != WordType.SPACING and w.end_s is not None]
        if ends:
            limit = self._unsolicited_at.pop(index)
            end_s = max(ends) + self._vad_tail_s()
            self.uplink.forget_until(min(self.uplink.audio_format.bytes_for(end_s), limit))

    def _vad_tail_s(self) -> float:
        """How far past its last word's end a server's own commit surely reaches. A VAD
        commit comes only after `vad_silence_s` of silence, and engines end words a little
        early (pocketsphinx by up to ~0.15 s): without this, a replay would start with the
        tail of a committed word, which an engine hears as a word of its own."""
        if self.commit_strategy is CommitStrategy.MANUAL:
            return 0.0  # an automatic commit may come mid-speech
        return min(VAD_TAIL_S, self.vad_silence_s / 2)

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
                               first_request=self._next_request,
                               round_trip_s=self._round_trip_s,
                               server_commits_seen=self.server_commits_seen,
                               auto_commit_floor_s=self.auto_commit_floor_s)
        max_words = 0 if self._overlap is None else self._overlap.max_remaining
        if start is not None and self._maybe_committed > start:
            overlap_s = self.uplink.audio_format.duration_s(self._maybe_committed - start)
            max_words = max(max_words, math.ceil(overlap_s * WORDS_PER_S_MAX) + 1)
        if max_words:
            nxt._overlap = ReplayOverlap(words_of(self.uplink.committed_tail)[-40:], max_words)
        return nxt, plan
