"""Offline English engine: CMU pocketsphinx 5 (the PyPI wheel ships the en-us model).

A decoder costs ~0.35 s to load and ~93 MB, so decoders live in a pool: a session borrows one
and gives it back on close, and the load is paid once per concurrent session, not per
connection. `fwdflat=False` makes the final result arrive in ~10 ms instead of up to ~2 s
after a long utterance at similar accuracy (test-rig.md).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import ENGINE_SAMPLE_RATE_HZ, EngineInfo, SegmentResult, SessionHints, WordTiming

# pocketsphinx's shipped initial cepstral mean ("40,3,-1,0,...") is far from real speech, so
# the first seconds of every fresh decoder decode badly (measured: 55 % WER on the test
# sentences vs 0-25 % once live CMN has adapted). Start from a mean measured on 16 kHz
# speech after a few utterances; live CMN keeps adapting from there within the session. A
# borrowed decoder is reset to it, so one session's audio (say, 8 kHz telephone audio, whose
# mean is far from wideband speech) never degrades the next session's start.
# Cross-check on speech it was not measured on (Debian's pocketsphinx-testdata, 5 human
# LibriVox utterances, streamed in 100 ms chunks): WER 0.35 with this mean, 0.39 with a mean
# measured on that human speech itself, 0.45 with the shipped default.
DEFAULT_CMN_INIT = "53,-2,-2.5,17,-4,-2,-5.5,-15,-3,-7,4.5,-1,-6"
# The same, measured on 8 kHz speech resampled to 16 kHz (no energy above 4 kHz).
NARROWBAND_CMN_INIT = "44,22,-40,48,-26,1.7,6.3,-35,19,-20,6.7,5.3,-17.5"

FRAMES_PER_SECOND = 100  # pocketsphinx's default frame rate (-frate 100)

_ALTERNATE = re.compile(r"\(\d+\)$")  # "on(2)": an alternate pronunciation of "on"


def clean_word(token: str) -> str | None:
    """A displayable word, or None for fillers (<s>, </s>, <sil>, [NOISE], ++BREATH++)."""
    if not token or token[0] in "<[" or token.startswith("++"):
        return None
    word = _ALTERNATE.sub("", token)
    return word or None


def clean_hypothesis(hypstr: str) -> str:
    words = (clean_word(t) for t in hypstr.split())
    return " ".join(w for w in words if w)


class PocketsphinxEngine:
    """Shared model pool; `new_session` is thread-safe."""

    name = "pocketsphinx"
    info = EngineInfo("pocketsphinx", "en-us", ("en",))

    def __init__(self, *, max_idle_decoders: int = 4, cmn_init: str = DEFAULT_CMN_INIT,
                 narrowband_cmn_init: str = NARROWBAND_CMN_INIT,
                 decoder_options: dict[str, Any] | None = None) -> None:
        self._options: dict[str, Any] = {"samprate": ENGINE_SAMPLE_RATE_HZ, "fwdflat": False,
                                         "cmninit": cmn_init, **(decoder_options or {})}
        self._cmn_init = cmn_init
        self._narrowband_cmn_init = narrowband_cmn_init
        self._max_idle = max_idle_decoders
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def preload(self) -> None:
        """Load one decoder now (blocking), so the first connection does not wait for it."""
        self._give_back(self._borrow())

    def new_session(self, source_rate_hz: int = ENGINE_SAMPLE_RATE_HZ,
                    hints: SessionHints | None = None) -> PocketsphinxSession:
        """`hints` are not used: the model is English-only and has no keyword biasing."""
        decoder = self._borrow()
        narrow = source_rate_hz < ENGINE_SAMPLE_RATE_HZ
        decoder.set_cmn(self._narrowband_cmn_init if narrow else self._cmn_init)
        return PocketsphinxSession(self, decoder)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._idle.clear()

    def _borrow(self) -> Any:
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine is closed")
            if self._idle:
                return self._idle.pop()
        from pocketsphinx import Decoder  # heavy import, paid once per process

        return Decoder(**self._options)

    def _give_back(self, decoder: Any) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(decoder)


def load_engine() -> PocketsphinxEngine:
    """A pocketsphinx engine with one decoder loaded: the factory of a worker process
    (process_host.ProcessEngine), so a worker reports ready only once it can transcribe."""
    engine = PocketsphinxEngine()
    engine.preload()
    return engine


class PocketsphinxSession:
    """One connection's decoder; calls must be serialised (see base.EngineSession)."""

    def __init__(self, engine: PocketsphinxEngine, decoder: Any) -> None:
        self._engine = engine
        self._decoder: Any = decoder
        self._in_utterance = False
        self._frames_fed = 0  # samples in the current utterance

    def feed(self, samples: npt.NDArray[np.int16]) -> str | None:
        if self._decoder is None:
            raise RuntimeError("the engine session is closed")
        if samples.size == 0:
            return None  # process_raw(b"") raises IndexError
        if not self._in_utterance:
            self._decoder.start_utt()
            self._in_utterance = True
        self._decoder.process_raw(samples.astype("<i2", copy=False).tobytes(), False, False)
        self._frames_fed += int(samples.size)
        hyp = self._decoder.hyp()
        if hyp is None:
            return None
        return clean_hypothesis(hyp.hypstr) or None

    def commit(self) -> SegmentResult:
        if self._decoder is None:
            raise RuntimeError("the engine session is closed")
        if not self._in_utterance:
            return SegmentResult("")
        self._decoder.end_utt()
        self._in_utterance = False
        duration_s = self._frames_fed / ENGINE_SAMPLE_RATE_HZ
        self._frames_fed = 0
        words: list[WordTiming] = []
        # seg() is None, not empty, when a grammar (FSG) search found no path: e.g. silence
        for seg in self._decoder.seg() or ():
            word = clean_word(seg.word)
            if word is None:
                continue
            start = min(seg.start_frame / FRAMES_PER_SECOND, duration_s)
            end = min((seg.end_frame + 1) / FRAMES_PER_SECOND, duration_s)
            words.append(WordTiming(word, start, max(start, end)))
        return SegmentResult(" ".join(w.word for w in words), tuple(words))

    def close(self) -> None:
        decoder, self._decoder = self._decoder, None
        if decoder is None:
            return
        if self._in_utterance:
            decoder.end_utt()
            self._in_utterance = False
        self._engine._give_back(decoder)
