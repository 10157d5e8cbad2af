"""Joining the audio of two streams of one microphone that overlap in time: how many leading
frames of the newer stream repeat the end of the older one. Pure (numpy).

The microphone is captured in large blocks while idle and in small ones while dictating; a
PortAudio stream cannot change its block size, so a second stream is opened before the first
is closed, and the two overlap. Both read the same device, so the overlap holds the same
samples (bit-exact through PulseAudio at the same rate; a resampling sound server may shift
them by a fraction of a sample). The callbacks' arrival times give the overlap to within the
two streams' latencies; the samples themselves give it exactly, unless they are silent or do
not match (then the times are used).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

MIN_MATCH = 0.9  # normalized correlation below this is no match: fall back to the times
MIN_RMS = 1e-4  # quieter than about -80 dBFS: nothing to match on (silence)


def overlap_frames(before: npt.NDArray[Any], after: npt.NDArray[Any], *, expected: int,
                   slack: int, window: int) -> int | None:
    """How many leading frames of `after` repeat the last frames of `before` (mono, 1-D).

    Candidates are `expected` ± `slack`; for a candidate k, `after[:window]` is compared with
    `before[-k:][:window]`. Returns the best-matching k, or None when nothing matches at
    least `MIN_MATCH` or `after` is silent over the window.
    """
    a = np.asarray(before, dtype=np.float64)
    b = np.asarray(after[:window], dtype=np.float64)
    if b.size < window or window <= 0:
        return None
    b_norm = float(np.sqrt(np.dot(b, b)))
    if b_norm < MIN_RMS * np.sqrt(window):
        return None
    low = max(window, expected - slack)
    high = min(a.size, expected + slack)
    if high < low:
        return None
    # the candidate k starts at a.size - k; its window is a[a.size-k : a.size-k+window]
    starts = a.size - np.arange(low, high + 1)
    segment = a[starts.min():starts.max() + window]
    views = np.lib.stride_tricks.sliding_window_view(segment, window)
    views = views[starts - starts.min()]
    dots = views @ b
    norms = np.sqrt(np.einsum("ij,ij->i", views, views))
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(norms > 0, dots / (norms * b_norm), 0.0)
    best = int(np.argmax(scores))
    if scores[best] < MIN_MATCH:
        return None
    return int(low + best)


def to_mono(frames: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """(n, channels) device frames -> (n,) for matching (the first channel suffices)."""
    return frames[:, 0] if frames.ndim == 2 else frames
