"""Which audio of a window to decode, from per-frame speech flags (pure).

Whisper invents text in silence ("Thank you.", "you"), and the encoder's cost grows with the
audio it is given. So the Whisper engine decodes only the speech of a window: runs of speech
frames, padded by PAD_S on each side; silences of MIN_GAP_S or more between them are cut out
(faster-whisper's own VAD filter does the same: 2 s gaps, 0.4 s padding). `SpeechSpans` maps
times of the decoded (concatenated) audio back to the window.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PAD_S = 0.4
MIN_GAP_S = 2.0
MIN_SPEECH_S = 0.1  # less speech than this in a window is a click or a breath: not decoded


@dataclass(frozen=True, slots=True)
class SpeechSpans:
    """Spans `[start, end)` of a window in samples, in order and disjoint."""

    spans: tuple[tuple[int, int], ...]
    rate_hz: int = 16000

    @property
    def samples(self) -> int:
        return sum(e - s for s, e in self.spans)

    def gather(self, audio: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        """The spans of `audio` (the window), back to back."""
        if len(self.spans) == 1:
            s, e = self.spans[0]
            return audio[s:e]
        return np.concatenate([audio[s:e] for s, e in self.spans]) if self.spans else \
            audio[:0]

    def to_window_s(self, t_s: float, is_end: bool = False) -> float:
        """A time in the gathered audio -> the same instant in the window (seconds). A time
        on a boundary between two spans belongs to the earlier span if `is_end`."""
        if not self.spans:
            return t_s
        t = t_s * self.rate_hz
        starts: list[int] = []  # start of each span in the gathered audio
        acc = 0
        for s, e in self.spans:
            starts.append(acc)
            acc += e - s
        t = min(max(t, 0.0), float(acc))
        k = (bisect.bisect_left(starts, t) - 1 if is_end else
             bisect.bisect_right(starts, t) - 1)
        k = max(0, k)
        return (self.spans[k][0] + (t - starts[k])) / self.rate_hz


def speech_spans(flags: npt.NDArray[np.bool_], frame_samples: int, total_samples: int, *,
                 rate_hz: int = 16000, pad_s: float = PAD_S, min_gap_s: float = MIN_GAP_S,
                 min_speech_s: float = MIN_SPEECH_S) -> SpeechSpans:
    """The spans of a window of `total_samples` to decode, from one speech flag per frame of
    `frame_samples` (frames past the window's end are ignored). No spans: nothing to decode."""
    n = min(len(flags), -(-total_samples // frame_samples))
    flags = np.asarray(flags[:n], dtype=bool)
    if flags.sum() * frame_samples < min_speech_s * rate_hz:
        return SpeechSpans((), rate_hz)
    pad = round(pad_s * rate_hz)
    min_gap = round(min_gap_s * rate_hz)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    spans: list[tuple[int, int]] = []
    for first, last in zip(edges[::2], edges[1::2], strict=True):
        start = max(0, int(first) * frame_samples - pad)
        end = min(total_samples, int(last) * frame_samples + pad)
        if spans and start - spans[-1][1] < min_gap - 2 * pad:
            spans[-1] = (spans[-1][0], end)  # a pause shorter than min_gap: keep it whole
        else:
            spans.append((start, end))
    return SpeechSpans(tuple(spans), rate_hz)


def seal_point(flags: npt.NDArray[np.bool_], frame_samples: int, spans: SpeechSpans, *,
               limit_s: float, search_s: float, rate_hz: int = 16000) -> int:
    """Where to cut a window whose speech outgrows `limit_s` (in samples of the window): in
    the longest pause among the `search_s` of audio before the point where the speech reaches
    `limit_s`, so no decode exceeds Whisper's window and words are not cut in two. Without
    any pause there, at that point itself."""
    limit = round(spans.to_window_s(limit_s, is_end=True) * rate_hz)
    first = max(1, (limit - round(search_s * rate_hz)) // frame_samples)
    last = min(len(flags), limit // frame_samples)
    best_len, best_mid = 0, limit
    run_start: int | None = None
    for i in range(first, last + 1):
        silent = i < last and not flags[i]
        if silent and run_start is None:
            run_start = i
        elif not silent and run_start is not None:
            if i - run_start > best_len:
                best_len, best_mid = i - run_start, (run_start + i) // 2 * frame_samples
            run_start = None
    return max(frame_samples, min(best_mid, limit))
