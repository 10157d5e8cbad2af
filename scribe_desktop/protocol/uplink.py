"""The client's uplink bookkeeping, sans-I/O: what to send, and when. Stdlib only, no clock.

`Uplink` turns raw audio and commit requests into `InputAudioChunk`s that obey the client
rules of the protocol doc, and keeps the state a reconnect needs:

* every chunk carries `sample_rate` (rule C9); a large buffer is split into chunks of at most
  `max_chunk_s` (C9: 50-250 ms at real-time pace);
* `previous_text` rides on the first audio chunk of a session only, trimmed to the last
  <= 50 characters at a word boundary (rule C8);
* a commit never goes out with < 0.3 s of uncommitted audio: it is padded with digital silence
  when the caller sent some audio since the last commit, and skipped when it sent none (C6);
* after `keepalive_after_s` without audio a short chunk of digital silence is due (C7);
* everything sent that no received `committed_transcript` provably covers stays in a bounded
  replay buffer (padding and keep-alive silence too, so a replay keeps the stream's timing),
  so a reconnect can replay it with the tail of the committed text as `previous_text` (C8,
  C11). What a commit covers is the caller's to say: an answer to our own commit covers up
  to where we committed; for the server's own commits the connection passes a conservative
  bound (`on_committed(covered_bytes=...)`) and may trim further once word times arrive.

Callers pass timestamps (any monotonic clock, in seconds). Not thread-safe: one owner.
"""

from __future__ import annotations

from collections import deque

from .audio_format import AudioFormat
from .inserted import InsertedSilence
from .messages import InputAudioChunk
from .options import MIN_COMMIT_AUDIO_S
from .replay import ReplayItem, ReplayPlan, Stored, trim_previous_text

DEFAULT_KEEPALIVE_AFTER_S = 5.0  # rule C7: one third-party client's choice; the server gives ~15 s
DEFAULT_KEEPALIVE_CHUNK_S = 0.02
DEFAULT_MAX_CHUNK_S = 0.25  # rule C9
DEFAULT_REPLAY_LIMIT_S = 90.0  # the documented auto-commit interval (§10.2)

__all__ = ["ReplayItem", "ReplayPlan", "Uplink", "trim_previous_text"]


class Uplink:
    """Builds the uplink chunks of one session and tracks commit, keep-alive and replay state.

    Byte offsets count every audio byte sent in this session (caller audio, padding and
    keep-alive silence), which is what the server counts as audio.
    """

    def __init__(
        self,
        audio_format: AudioFormat,
        *,
        now: float,
        previous_text: str | None = None,
        keepalive_after_s: float = DEFAULT_KEEPALIVE_AFTER_S,
        keepalive_chunk_s: float = DEFAULT_KEEPALIVE_CHUNK_S,
        max_chunk_s: float | None = DEFAULT_MAX_CHUNK_S,
        replay_limit_s: float = DEFAULT_REPLAY_LIMIT_S,
        committed_tail: str = "",
    ) -> None:
        if not 0.02 <= keepalive_chunk_s <= 0.1:
            raise ValueError("keepalive_chunk_s must be 20-100 ms (rule C7)")
        if keepalive_after_s <= 0:
            raise ValueError("keepalive_after_s must be positive")
        self.audio_format = audio_format
        self._max_chunk_s = max_chunk_s
        self._replay_limit_s = replay_limit_s
        self.keepalive_after_s = keepalive_after_s
        self.keepalive_chunk_s = keepalive_chunk_s
        self._max_chunk_bytes = (None if max_chunk_s is None
                                 else max(audio_format.bytes_for(max_chunk_s),
                                          audio_format.bytes_per_sample))
        self._replay_limit_bytes = audio_format.bytes_for(replay_limit_s)
        self._previous_text = trim_previous_text(previous_text)
        self._first_chunk_sent = False
        self._last_audio_at = now
        self._sent_bytes = 0  # stream offset of everything sent
        self._committed_at = 0  # offset of the last commit (ours or the server's)
        self._caller_audio_since_commit = False
        self._pending_commits: deque[int] = deque()  # offsets of commits awaiting an answer
        # offsets of commits counted as answered by a commit that may have been the server's
        # own (C5): until that doubt is resolved, a replay asks for them again
        self._doubtful: list[int] = []
        self._clock = InsertedSilence()
        self._replay: deque[Stored] = deque()
        self._replay_bytes = 0
        self.replay_dropped_bytes = 0
        self._committed_tail = committed_tail
        self.commits_sent = 0
        self.commits_skipped = 0
        self.padded_bytes = 0
        self.keepalives_sent = 0

    # --- state ------------------------------------------------------------------------------

    @property
    def sample_rate_hz(self) -> int:
        return self.audio_format.sample_rate_hz

    @property
    def sent_s(self) -> float:
        """Seconds of audio sent in this session (stream time of the next byte)."""
        return self.audio_format.duration_s(self._sent_bytes)

    @property
    def uncommitted_s(self) -> float:
        """Seconds sent since the last commit, as far as the server can have counted (C6)."""
        return self.audio_format.duration_s(self._sent_bytes - self._committed_at)

    @property
    def has_uncommitted_audio(self) -> bool:
        """Whether the caller sent audio (not just keep-alive silence) since the last commit."""
        return self._caller_audio_since_commit

    @property
    def pending_commits(self) -> int:
        """Commits sent whose `committed_transcript` has not arrived yet."""
        return len(self._pending_commits)

    def caller_s(self, stream_s: float) -> float:
        """Where stream time `stream_s` of this session falls on the caller's clock: the
        silence we inserted before it (padding, keep-alive) taken out. Word times from the
        server are on the stream's clock; the caller's audio is on this one."""
        b = self.audio_format.bytes_for(max(stream_s, 0.0))
        return self.audio_format.duration_s(b - self._clock.before(b))

    @property
    def in_doubt(self) -> bool:
        """Whether a commit of ours was counted as answered by what may have been the
        server's own commit (see `on_committed(doubtful=True)`)."""
        return bool(self._doubtful)

    @property
    def replay_s(self) -> float:
        """Seconds of caller audio not yet covered by a received committed transcript."""
        return self.audio_format.duration_s(self._replay_bytes)

    # --- building chunks ----------------------------------------------------------------------

    def _chunk(self, audio: bytes, *, commit: bool = False) -> InputAudioChunk:
        previous_text = None
        if audio and not self._first_chunk_sent:
            # rule C8: only the first audio chunk may carry previous_text
            self._first_chunk_sent = True
            previous_text = self._previous_text
        return InputAudioChunk(audio=audio, commit=commit, sample_rate_hz=self.sample_rate_hz,
                               previous_text=previous_text)

    def _check_aligned(self, pcm: bytes) -> None:
        if len(pcm) % self.audio_format.bytes_per_sample:
            raise ValueError(f"{len(pcm)} bytes is not a whole number of "
                             f"{self.audio_format.value} samples")

    def audio(self, pcm: bytes, now: float, *, inserted: bool = False
              ) -> list[InputAudioChunk]:
        """Chunks carrying `pcm` (raw audio in the session format), split to <= max_chunk_s.
        `inserted`: silence we inserted earlier (a replayed padding), not the caller's audio:
        it does not count as something to commit, nor on the caller's clock."""
        self._check_aligned(pcm)
        if not pcm:
            return []
        step = self._max_chunk_bytes or len(pcm)
        chunks = []
        for start in range(0, len(pcm), step):
            part = bytes(pcm[start:start + step])
            chunks.append(self._chunk(part))
            self._remember(part, now, inserted=inserted)
            self._sent_bytes += len(part)
        if not inserted:
            self._caller_audio_since_commit = True
        self._last_audio_at = now
        return chunks

    def commit(self, now: float, *, min_pad_s: float = 0.0) -> list[InputAudioChunk]:
        """The chunks of a commit, or [] when it must be skipped (rule C6).

        With caller audio since the last commit, silence pads the uncommitted audio up to
        0.3 s (and to at least `min_pad_s` of silence: room left after a commit the server
        may make on its own before it reads ours), then the empty `commit: true` chunk
        follows. Without any, nothing is sent: committing keep-alive silence alone could only
        yield an empty or throttled commit.
        """
        if not self._caller_audio_since_commit:
            self.commits_skipped += 1
            return []
        chunks = []
        missing_s = max(MIN_COMMIT_AUDIO_S - self.uncommitted_s, min_pad_s)
        if missing_s > 0:
            # round up by one sample so float error never leaves us a hair under 0.3 s
            pad = self.audio_format.silence(missing_s + 1 / self.sample_rate_hz)
            chunks.append(self._chunk(pad))
            self._remember(pad, now, inserted=True)
            self._sent_bytes += len(pad)
            self.padded_bytes += len(pad)
            self._last_audio_at = now
        chunks.append(self._chunk(b"", commit=True))
        self._pending_commits.append(self._sent_bytes)
        self._committed_at = self._sent_bytes
        self._caller_audio_since_commit = False
        self.commits_sent += 1
        return chunks

    def keepalive_due_at(self) -> float:
        """When keep-alive silence is due if no audio is sent before then (rule C7)."""
        return self._last_audio_at + self.keepalive_after_s

    def keepalive(self, now: float) -> InputAudioChunk | None:
        """A short chunk of digital silence if the uplink has been idle long enough (C7)."""
        if now < self.keepalive_due_at():
            return None
        silence = self.audio_format.silence(self.keepalive_chunk_s)
        chunk = self._chunk(silence)
        self._remember(silence, now, inserted=True)
        self._sent_bytes += len(silence)
        self._last_audio_at = now
        self.keepalives_sent += 1
        return chunk

    # --- what the server answered ------------------------------------------------------------

    def on_committed(self, text: str, *, solicited: bool, doubtful: bool = False,
                     covered_bytes: int | None = None) -> None:
        """Account for a received `committed_transcript`; `solicited`: it answers our oldest
        pending commit (the connection attributes commits, rule C5).

        A solicited commit covers the audio up to where we committed. An unsolicited one
        covers what the server had received when it committed, which we cannot know: the
        replay buffer is trimmed only to `covered_bytes` (the caller's conservative bound;
        default: nothing). Unsolicited commits reset the uncommitted count, so our next
        commit pads against what the server may count. `doubtful`: counted as the answer to
        our oldest commit, but it may have been the server's own; it is trimmed like an
        unsolicited one, and our commit stays in doubt (`resolve_doubt`, `on_throttled`).
        """
        if solicited and doubtful and self._pending_commits:
            self._doubtful.append(self._pending_commits.popleft())
            covered = 0 if covered_bytes is None else min(covered_bytes, self._doubtful[-1])
            self._committed_at = self._sent_bytes
        elif solicited and self._pending_commits:
            covered = self._pending_commits.popleft()
        else:
            covered = 0 if covered_bytes is None else min(covered_bytes, self._sent_bytes)
            # for padding only: the server may have counted from anywhere up to here. Our
            # audio since is still ours to commit (the server may have committed before it
            # arrived), so a final commit is not skipped: at worst its answer is empty.
            self._committed_at = self._sent_bytes
        self._forget_until(covered)
        if text.strip():
            self._committed_tail = " ".join(f"{self._committed_tail} {text}".split())[-500:]

    def resolve_doubt(self) -> None:
        """The server has answered everything (it went quiet long enough): the commits in
        doubt were ours after all, and their audio is covered."""
        if self._doubtful:
            self._forget_until(max(self._doubtful))
            self._doubtful.clear()

    def on_throttled(self) -> bool:
        """Account for `commit_throttled`: the server had < 0.3 s uncommitted when it read
        one of our commits, so a commit of its own had just covered the audio before it.
        Without doubt that was our oldest pending commit (True: it is settled). In doubt it
        was one of the commits counted since the doubt began, at the latest: only the audio
        up to the first of those is surely covered; the others are asked for again on
        replay (False)."""
        if self._doubtful:
            self._forget_until(self._doubtful.pop(0))
            return False
        if self._pending_commits:
            self._forget_until(self._pending_commits.popleft())
            return True
        return False

    def forget_until(self, offset: int) -> None:
        """Drop replay audio that ends at or before byte `offset` (known to be committed)."""
        self._forget_until(offset)

    def sent_before(self, t: float) -> int:
        """The stream offset up to which audio still kept for replay went out at or before
        `t` (the caller's clock); the replay's start when none did."""
        end = None
        for stored in self._replay:
            if stored.sent_at > t:
                break
            end = stored.end
        if end is not None:
            return end
        return self._replay[0].start if self._replay else self._sent_bytes

    @property
    def sent_bytes(self) -> int:
        return self._sent_bytes

    @property
    def replay_start(self) -> int | None:
        """Byte offset (this session's stream) of the oldest audio kept for replay."""
        return self._replay[0].start if self._replay else None

    @property
    def committed_tail(self) -> str:
        """The end of the committed text so far (seed for the next session's previous_text)."""
        return self._committed_tail

    def replay_plan(self) -> ReplayPlan:
        """What to send on a new connection: uncovered audio, with commits where we had asked
        for them, and the committed text's tail as previous_text (rules C8, C11)."""
        items: list[ReplayItem] = []
        commits = deque(sorted([*self._doubtful, *self._pending_commits]))
        for stored in self._replay:
            # commits fall between chunks: one at or before this audio's start ends the item
            # before it; one before any kept audio covered audio the bound already dropped
            while commits and commits[0] <= stored.start:
                commits.popleft()
                if items:
                    items[-1] = ReplayItem(items[-1].audio, True, items[-1].inserted)
            if items and not items[-1].commit and items[-1].inserted == stored.inserted:
                items[-1] = ReplayItem(items[-1].audio + stored.audio,
                                       inserted=stored.inserted)
            else:
                items.append(ReplayItem(stored.audio, inserted=stored.inserted))
        if commits and items:
            items[-1] = ReplayItem(items[-1].audio, True, items[-1].inserted)
        previous_text = trim_previous_text(self._committed_tail)
        return ReplayPlan(previous_text=previous_text, items=tuple(items))

    def successor(self, now: float) -> tuple[Uplink, ReplayPlan]:
        """A fresh uplink for the next session of the same stream, seeded with the committed
        text's tail as previous_text, and the plan of what it should replay first."""
        plan = self.replay_plan()
        nxt = Uplink(self.audio_format, now=now, previous_text=plan.previous_text,
                     keepalive_after_s=self.keepalive_after_s,
                     keepalive_chunk_s=self.keepalive_chunk_s, max_chunk_s=self._max_chunk_s,
                     replay_limit_s=self._replay_limit_s, committed_tail=self._committed_tail)
        return nxt, plan

    # --- replay buffer ------------------------------------------------------------------------

    def _remember(self, audio: bytes, now: float, *, inserted: bool = False) -> None:
        if inserted:
            self._clock.insert(self._sent_bytes, len(audio))
        self._replay.append(Stored(start=self._sent_bytes, audio=audio, sent_at=now,
                                    inserted=inserted))
        self._replay_bytes += len(audio)
        while self._replay_bytes > self._replay_limit_bytes and self._replay:
            # bounded: the oldest audio goes first; a reconnect after this loses it
            dropped = self._replay.popleft()
            self._replay_bytes -= len(dropped.audio)
            self.replay_dropped_bytes += len(dropped.audio)

    def _forget_until(self, offset: int) -> None:
        while self._replay and self._replay[0].end <= offset:
            self._replay_bytes -= len(self._replay.popleft().audio)
        if self._replay and self._replay[0].start < offset:
            # the bound falls inside a chunk: keep only its uncovered part, so a replay does
            # not start with the tail of a word that was committed already
            first = self._replay[0]
            cut = (offset - first.start) // self.audio_format.bytes_per_sample \
                * self.audio_format.bytes_per_sample
            if cut:
                self._replay[0] = Stored(first.start + cut, first.audio[cut:], first.sent_at,
                                          first.inserted)
                self._replay_bytes -= cut
