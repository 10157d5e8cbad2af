"""When the server commits on its own (§10.2, the cloud's auto-commit; rule C5 for clients).

A commit is the end of a segment: the engine decodes the segment alone, so a commit in the
middle of a word cuts it in two and both halves come out wrong. The service documents an
auto-commit "every 90 s" (observed at ≈36 s), which a client cannot place; ours waits, once
`after_s` of audio is uncommitted, for the first pause of `pause_s` (WebRTC's VAD in its
strictest mode, so background noise reads as a pause), and commits at once only when no
pause has come by `force_s`: a monologue without a breath still gets its commits.

The commit falls where the pause reached `pause_s`, not at the end of the chunk that held
it: the rest of the chunk opens the next segment. So a word that starts later in the same
chunk is not cut in two, and a client's commit padded with more silence than `pause_s` (rule
C6) still finds uncommitted audio left for it instead of being throttled.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .vad import FRAME_S, WebRtcFrames

PAUSE_S = 0.3
FORCE_FACTOR = 1.5  # no pause by 1.5 x after_s: commit anyway
STRICTEST = 0.9  # vad_threshold that selects WebRTC mode 3


class AutoCommit:
    """Sans-I/O over 16 kHz samples: `feed(uncommitted_s, samples)` says where in `samples`
    to commit, if anywhere; `reset()` after every commit, whoever asked for it."""

    def __init__(self, after_s: float, *, pause_s: float = PAUSE_S,
                 force_s: float | None = None) -> None:
        self.after_s = after_s
        self.force_s = force_s if force_s is not None else after_s * FORCE_FACTOR
        self._pause_frames = max(1, round(pause_s / FRAME_S))
        self._frames: WebRtcFrames | None = None  # made when first needed
        self._pending = np.zeros(0, dtype=np.int16)
        self._quiet = 0  # consecutive non-speech frames at the end of the audio so far

    def feed(self, uncommitted_s: float, samples: npt.NDArray[np.int16]) -> int | None:
        """`uncommitted_s`: the segment's audio with `samples` (its end); the number of
        `samples` the commit covers (the rest opens the next segment; commit there and
        `reset()`), or None: no commit."""
        if uncommitted_s < self.after_s:
            return None  # a pause counts from when the window opens: classify nothing yet
        cut = self._pause_reached_in(samples)
        if cut is None and uncommitted_s >= self.force_s:
            return int(samples.size)  # no pause by force_s (a pause in this chunk comes first)
        return cut

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.int16)
        self._quiet = 0

    def _pause_reached_in(self, samples: npt.NDArray[np.int16]) -> int | None:
        """Where in `samples` the quiet run reaches `pause_s` (the end of that frame; frames
        straddle chunks, so a part of one may be from the chunk before), or None."""
        frames = self._classifier()
        held = self._pending.size
        audio = np.concatenate([self._pending, samples]) if held else samples
        whole = audio.size - audio.size % frames.frame_samples
        self._pending = audio[whole:]
        for index, speech in enumerate(frames.speech(audio[:whole]) if whole else ()):
            self._quiet = 0 if speech else self._quiet + 1
            if self._quiet >= self._pause_frames:
                return (index + 1) * frames.frame_samples - held
        return None

    def _classifier(self) -> WebRtcFrames:
        if self._frames is None:
            self._frames = WebRtcFrames(STRICTEST)
        return self._frames
