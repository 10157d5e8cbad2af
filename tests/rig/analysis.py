"""Comparing captured audio with what was played: alignment by cross-correlation."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def align(reference: npt.NDArray[Any], captured: npt.NDArray[Any]) -> tuple[int, float]:
    """(lag, r): `captured[lag:]` lines up with `reference` (lag may be negative: the capture
    started after playback), and r is the Pearson correlation over the overlap."""
    ref = reference.astype(np.float64)
    cap = captured.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(ref.size + cap.size)))
    xc = np.fft.irfft(np.fft.rfft(cap, n) * np.conj(np.fft.rfft(ref, n)), n)
    k = int(np.argmax(xc))
    lag = k if k < n // 2 else k - n
    if lag >= 0:
        a, b = ref, cap[lag:]
    else:
        a, b = ref[-lag:], cap
    m = min(a.size, b.size)
    if m < 2:
        return lag, 0.0
    return lag, float(np.corrcoef(a[:m], b[:m])[0, 1])
