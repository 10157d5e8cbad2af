"""The engine contract of the local server.

An `Engine` loads its model once and is shared by every connection; each connection gets its
own `EngineSession`. Session methods block (they run inference): the server calls them through
`asyncio.to_thread`.

Engines come in two kinds, declared by `EngineInfo.redecodes`:

* incremental (pocketsphinx): `feed` decodes as audio arrives and returns the partial text;
  calls are serialised, one at a time per session;
* re-decoding (Whisper, no native streaming): `feed` only buffers audio (cheap) and returns
  None; the server asks for partials with `decode_partial` from a background task, at most one
  at a time per session, concurrently with `feed`; `commit` runs the final decode without
  waiting for a partial decode in flight (whose result is then dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

ENGINE_SAMPLE_RATE_HZ = 16000  # every engine is fed 16 kHz mono int16


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What an engine can do; the server validates requests against it (wyoming's AsrModel).

    `languages` are ISO 639-1 codes, the first one the default. `redecodes`: partials come
    from `decode_partial` (see the module docstring), not from `feed`. `features`: the
    optional session settings it honours, named as the client's settings dialog knows them
    (e.g. "keyterms"), so the app can grey out the ones that would do nothing."""

    name: str
    model: str
    languages: tuple[str, ...]
    redecodes: bool = False
    features: tuple[str, ...] = ()

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    def ready_fields(self) -> dict[str, object]:
        """The keys this engine adds to the server's JSON ready line."""
        return {"engine": self.name, "model": self.model, "languages": list(self.languages),
                "features": list(self.features)}


@dataclass(frozen=True, slots=True)
class SessionHints:
    """What a session asks of recognition (§4). An engine uses what it can and ignores the
    rest; `language` has been validated against `EngineInfo.languages` (or is None: detect)."""

    language: str | None = None
    keyterms: tuple[str, ...] = ()
    detect_language: bool = False
    word_timestamps: bool = True  # the client gets words (engines may skip timing them)
    # the server commits by itself after a pause (VAD strategy), so a pause usually ends the
    # segment; with manual commits the client decides (an engine may prepare differently)
    commits_on_silence: bool = False


@dataclass(frozen=True, slots=True)
class WordTiming:
    """One recognised word; seconds relative to the start of its segment.

    `prefix` is the text between the previous word and this one (" " between words; "" when
    the model glued them, as in Whisper's "cold" + "-hearted"); ignored on the first word.
    `probability` is the model's confidence in the word, when it has one."""

    word: str
    start_s: float
    end_s: float
    prefix: str = " "
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """The final text of a committed segment and its words: `text` is the words joined with
    their prefixes (the first word's prefix dropped). `language`: the detected language, when
    the engine detects one."""

    text: str
    words: tuple[WordTiming, ...] = ()
    language: str | None = None


def join_words(words: tuple[WordTiming, ...] | list[WordTiming]) -> str:
    """The text of `words`: each joined to the one before by its prefix."""
    return "".join((w.prefix if i else "") + w.word for i, w in enumerate(words))


class EngineSession(Protocol):
    """Recognition state of one connection."""

    def feed(self, samples: npt.NDArray[np.int16]) -> str | None:
        """Add 16 kHz audio to the current segment. Incremental engines return the
        whole-segment partial text (None when there is no hypothesis yet); re-decoding
        engines buffer it and return None. Never called with an empty array."""
        ...

    def commit(self) -> SegmentResult:
        """End the current segment, return its final result and start a new segment."""
        ...

    def close(self) -> None:
        """Release resources; the session is unusable afterwards. Idempotent."""
        ...


@runtime_checkable
class RedecodingSession(EngineSession, Protocol):
    """A session whose partials come from re-decoding the uncommitted audio.

    `feed` and `commit` are serialised by the caller; `decode_partial` runs concurrently with
    them (never with another `decode_partial`); a partial decode that a commit overtook
    returns None."""

    def decode_partial(self) -> str | None:
        """Decode the uncommitted audio; the partial text, or None when there is nothing new
        to show (no speech yet, or no audio since the last decode). May block for a decode."""
        ...

    def set_previous_text(self, text: str) -> None:
        """Context said before this session's audio (§5.2 `previous_text`)."""
        ...


class Engine(Protocol):
    """A loaded model shared by all connections; `new_session` is thread-safe."""

    @property
    def info(self) -> EngineInfo: ...

    def new_session(self, source_rate_hz: int = ENGINE_SAMPLE_RATE_HZ,
                    hints: SessionHints | None = None) -> EngineSession:
        """A fresh session (may block: it can load or borrow a model instance).

        `source_rate_hz` is the client's audio rate before resampling to 16 kHz: a hint for
        engines that adapt to band-limited (e.g. 8 kHz telephone) audio."""
        ...

    def close(self) -> None:
        """Release the model; no session may be used afterwards."""
        ...


@runtime_checkable
class Decoder(Protocol):
    """A stateless model: each `decode` request carries its audio and options, so requests of
    any session can go to any instance (a pool of worker processes). Not an `Engine`: an
    engine built on it (whisper_engine.WhisperEngine) keeps the per-session state."""

    @property
    def info(self) -> EngineInfo: ...

    def decode(self, request: object) -> object:
        """Run one request; blocks for the decode."""
        ...

    def cancel(self, ticket: str) -> None:
        """The request named `ticket` is no longer wanted: stop it early if it is still
        queued or running (its caller then gets an empty, cancelled result). Never blocks on
        a decode; a ticket that finished or is unknown is ignored."""
        ...

    def close(self) -> None:
        """Release the model. Idempotent."""
        ...
