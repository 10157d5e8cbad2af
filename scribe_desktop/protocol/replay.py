"""What a reconnect replays: the plan, its items, the stored audio, the previous text. Pure.

After a lost connection, a new session starts with the tail of the committed text as
`previous_text` (rule C8) and the audio no commit provably covers, with the commits we had
asked for inside it (C11). `uplink.Uplink` keeps the `Stored` audio and makes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .messages import Word, WordType
from .options import MAX_PREVIOUS_TEXT_CHARS, CommitStrategy

if TYPE_CHECKING:
    from .uplink import Uplink

VAD_TAIL_S = 0.25  # see ServerCommitReach.tail_s


def trim_previous_text(text: str | None, limit: int = MAX_PREVIOUS_TEXT_CHARS) -> str | None:
    """The tail of `text` in at most `limit` characters, starting at a word boundary (rule C8);
    None when nothing is left."""
    if text is None:
        return None
    text = " ".join(text.split())
    if len(text) > limit:
        cut = len(text) - limit
        tail = text[cut:]
        if not text[cut - 1].isspace() and not tail[0].isspace():
            # the cut fell inside a word: drop that word's fragment
            space = tail.find(" ")
            tail = "" if space < 0 else tail[space:]
        text = tail.strip()
    return text or None


@dataclass(frozen=True, slots=True)
class ReplayItem:
    """Audio to send again after a reconnect; `commit` asks for a commit after it;
    `inserted`: it is silence we inserted (padding, keep-alive), not the caller's audio."""

    audio: bytes
    commit: bool = False
    inserted: bool = False


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """What a new session should start with after the old one was lost (rules C8, C11)."""

    previous_text: str | None
    items: tuple[ReplayItem, ...]

    @property
    def audio_bytes(self) -> int:
        return sum(len(i.audio) for i in self.items)


@dataclass(frozen=True, slots=True)
class Stored:
    """Audio sent and kept for a replay."""

    start: int  # stream byte offset of this audio's first byte
    audio: bytes
    sent_at: float  # the caller's clock when it went out
    inserted: bool = False  # silence we inserted (padding, keep-alive)

    @property
    def end(self) -> int:
        return self.start + len(self.audio)


class ServerCommitReach:
    """How far into the replay buffer the server's own commits reach (C5, C11).

    A commit the server made on its own is trimmed from the buffer at first only by a
    conservative bound (`Uplink.on_committed(covered_bytes=...)`); once its word times arrive,
    the audio up to its last word's end is committed beyond doubt and leaves the buffer too.
    `maybe_committed` is the stream offset up to which such a commit may reach: a replay
    from before it may repeat committed words (`overlap.ReplayOverlap` cuts them)."""

    def __init__(self, uplink: Uplink, commit_strategy: CommitStrategy,
                 vad_silence_s: float) -> None:
        self.uplink = uplink
        self.commit_strategy = commit_strategy
        self.vad_silence_s = vad_silence_s
        self.sent_then: dict[int, int] = {}  # server commit index -> bytes sent on arrival
        self.maybe_committed = 0

    def committed(self, index: int, sent_bytes: int) -> None:
        """Commit `index` may be the server's own; `sent_bytes` had been sent when it came."""
        self.sent_then[index] = sent_bytes
        self.maybe_committed = sent_bytes

    def timed(self, index: int, words: tuple[Word, ...]) -> None:
        """Commit `index`'s words arrived: its speech ended with its last word (session
        clock, before any shift), so the audio up to there leaves the replay buffer."""
        limit = self.sent_then.pop(index, None)
        if limit is None:
            return
        ends = [w.end_s for w in words if w.type != WordType.SPACING and w.end_s is not None]
        if ends:
            end_s = max(ends) + self.tail_s()
            self.uplink.forget_until(min(self.uplink.audio_format.bytes_for(end_s), limit))

    def tail_s(self) -> float:
        """How far past its last word's end a server's own commit surely reaches. A VAD
        commit comes only after `vad_silence_s` of silence, and engines end words a little
        early (pocketsphinx by up to ~0.15 s): without this, a replay would start with the
        tail of a committed word, which an engine hears as a word of its own."""
        if self.commit_strategy is CommitStrategy.MANUAL:
            return 0.0  # an automatic commit may come mid-speech
        return min(VAD_TAIL_S, self.vad_silence_s / 2)
