"""One session's audio path, synchronous: wire bytes -> 16 kHz -> engine -> protocol messages.

Everything here blocks (resampling, inference), so the async session runs it through
`asyncio.to_thread`: `feed` and `commit` one call at a time; for a re-decoding engine
(`EngineInfo.redecodes`), `decode_partial` from a background task, concurrently with `feed`.
Word times are stream-global (rule S5, §6.6): a segment's engine-relative times are offset by
all audio received before the segment. With a `DecodeGate` (re-decoding engines), a partial
decode is skipped while every decoder is busy and a commit never waits for the gate
(decode_gate.py: partials thin out before finals slow down).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..audio.pcm import StreamResampler, decode_wire_audio
from ..protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerMessage,
    Word,
    WordType,
)
from ..protocol.options import CommitStrategy, SessionOptions
from .auto_commit import AutoCommit
from .decode_gate import DecodeGate
from .engines.base import (
    ENGINE_SAMPLE_RATE_HZ,
    EngineSession,
    RedecodingSession,
    SegmentResult,
)
from .vad import VadSegmenter, VadSettings


class AudioPipeline:
    """`feed`, `commit` and `set_previous_text` must be serialised (the session awaits each
    one); `decode_partial` may run beside them (re-decoding engines only)."""

    def __init__(self, options: SessionOptions, engine_session: EngineSession, *,
                 auto_commit_s: float, language: str, gate: DecodeGate | None = None) -> None:
        """`language`: the code reported with committed text when the engine reports none.
        `gate`: the engine's decoders, shared by every session's pipeline."""
        self._options = options
        self._gate = gate
        self._format = options.effective_audio_format
        self._engine = engine_session
        self._redecoding = engine_session if isinstance(engine_session, RedecodingSession) \
            else None
        self._language = language
        self._auto_commit = AutoCommit(auto_commit_s)
        self._resampler = StreamResampler(self._format.sample_rate_hz, ENGINE_SAMPLE_RATE_HZ)
        self._vad: VadSegmenter | None = None
        if options.effective_commit_strategy is not CommitStrategy.MANUAL:  # vad, turn_prediction
            self._vad = VadSegmenter(VadSettings.from_options(options))
        self._stream_samples = 0  # 16 kHz samples of real audio fed so far
        self._segment_start = 0  # _stream_samples when the current segment began
        self._uncommitted_s = 0.0  # wire seconds since the last commit (rule S4)
        self._last_partial: str | None = None
        self.segments = 0  # segments committed so far (a partial of an older one is stale)

    @property
    def uncommitted_s(self) -> float:
        return self._uncommitted_s

    @property
    def stream_s(self) -> float:
        """Seconds of audio received so far (the stream clock)."""
        return self._stream_samples / ENGINE_SAMPLE_RATE_HZ

    @property
    def redecodes(self) -> bool:
        """Partials come from `decode_partial` (a background task), not from `feed`."""
        return self._redecoding is not None

    def set_previous_text(self, text: str) -> None:
        """`previous_text` of the first chunk (§5.2): context for engines that use it."""
        if self._redecoding is not None and text.strip():
            self._redecoding.set_previous_text(text)

    def decode_partial(self) -> PartialTranscript | None:
        """Re-decode the uncommitted audio (re-decoding engines); None when there is nothing
        new. The caller drops the result if `segments` changed meanwhile (a commit)."""
        if self._redecoding is None:
            return None
        if self._gate is None:
            text = self._redecoding.decode_partial()
        else:
            slot = self._gate.try_partial()
            if slot is None:
                return None  # every decoder is busy: skipped (the next one covers this audio)
            with slot:
                text = self._redecoding.decode_partial()
        return PartialTranscript(text) if text else None

    def feed(self, wire: bytes) -> list[ServerMessage]:
        """Add a chunk of wire audio; returns partials and any VAD / automatic commits."""
        if not wire:
            return []
        self._uncommitted_s += self._format.duration_s(len(wire))
        out: list[ServerMessage] = []
        samples = self._resampler.process(decode_wire_audio(wire, self._format))
        self._process(samples, out, auto_commit=True)
        return out

    def commit(self, pad_to_s: float = 0.0) -> list[ServerMessage]:
        """End the segment. `pad_to_s` > 0 (lenient mode) first feeds silence so the segment
        holds at least that much audio; padding does not move the stream clock."""
        out: list[ServerMessage] = []
        if self._resampler.in_rate_hz != ENGINE_SAMPLE_RATE_HZ:
            # the resampler holds back its filter delay (9-29 ms): without a flush that audio
            # would open the next segment and the session's last segment would lose it
            self._process(self._resampler.flush(), out)
            self._resampler = StreamResampler(self._format.sample_rate_hz,
                                              ENGINE_SAMPLE_RATE_HZ)
        missing = pad_to_s - self._uncommitted_s
        if missing > 0:
            pad = np.zeros(round(missing * ENGINE_SAMPLE_RATE_HZ), dtype=np.int16)
            if pad.size:
                self._engine.feed(pad)
        out.extend(self._finish_segment(self._final()))
        return out

    def close(self) -> None:
        self._engine.close()

    def _process(self, samples: npt.NDArray[np.int16], out: list[ServerMessage], *,
                 auto_commit: bool = False) -> None:
        """16 kHz audio -> the engine, ending segments where the VAD (if any) says so, then,
        with `auto_commit`, where the server commits on its own (§10.2, documented every
        90 s; rule C5): at the pause it waited for, the rest opening the next segment."""
        start = 0
        for end in self._vad.feed(samples) if self._vad is not None else ():
            self._end_segment(samples, start, end, out)
            start = end
        if auto_commit:
            cut = self._auto_commit.feed(self._uncommitted_s, samples[start:])
            if cut is not None:
                self._end_segment(samples, start, start + cut, out)
                start += cut
        self._feed_engine(samples[start:], out)

    def _end_segment(self, samples: npt.NDArray[np.int16], start: int, end: int,
                     out: list[ServerMessage]) -> None:
        """Feed `samples[start:end]` and commit the segment there; the rest of `samples` is
        the next segment's uncommitted audio."""
        self._feed_engine(samples[start:end], out)
        out.extend(self._finish_segment(self._final()))
        self._uncommitted_s = (samples.size - end) / ENGINE_SAMPLE_RATE_HZ

    def _final(self) -> SegmentResult:
        """The engine's commit: a final decode, which the gate never holds back."""
        if self._gate is None:
            return self._engine.commit()
        with self._gate.final():
            return self._engine.commit()

    def _feed_engine(self, samples: npt.NDArray[np.int16], out: list[ServerMessage]) -> None:
        if samples.size == 0:
            return
        self._stream_samples += int(samples.size)
        partial = self._engine.feed(samples)
        if partial and partial != self._last_partial:
            self._last_partial = partial
            out.append(PartialTranscript(partial))

    def _finish_segment(self, result: SegmentResult) -> list[ServerMessage]:
        offset_s = self._segment_start / ENGINE_SAMPLE_RATE_HZ
        self._segment_start = self._stream_samples
        self._uncommitted_s = 0.0
        self._auto_commit.reset()
        self._last_partial = None
        self.segments += 1
        words = _wire_words(result, offset_s)
        # rule S5: the words concatenate to exactly the text
        text = "".join(w.text for w in words) if words else result.text
        out: list[ServerMessage] = [CommittedTranscript(text)]
        if self._options.include_timestamps or self._options.include_language_detection:
            language = result.language or self._language
            out.append(CommittedTranscriptWithTimestamps(text, language, tuple(words)))
        return out


def _wire_words(result: SegmentResult, offset_s: float) -> list[Word]:
    """Engine words -> `word` and `spacing` items in stream-global seconds (§6.6). A word's
    prefix becomes the spacing item before it (none when the model glued two words)."""
    out: list[Word] = []
    prev_end: float | None = None
    for timing in result.words:
        start = round(offset_s + timing.start_s, 3)
        end = round(offset_s + timing.end_s, 3)
        if prev_end is not None:
            start = max(start, prev_end)
            end = max(end, start)
            if timing.prefix:
                out.append(Word(timing.prefix, prev_end, start, WordType.SPACING,
                                logprob=0.0))
        logprob = 0.0 if timing.probability is None else \
            round(math.log(max(timing.probability, 1e-6)), 4)
        out.append(Word(timing.word, start, end, WordType.WORD, logprob=logprob))
        prev_end = end
    return out
