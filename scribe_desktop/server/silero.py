"""Streaming Silero VAD: speech probability per 32 ms frame of 16 kHz audio.

The model is the ONNX file faster-whisper ships (`faster_whisper/assets/silero_vad_v6.onnx`),
run with onnxruntime (a faster-whisper dependency) on one thread, one session per stream.
faster-whisper runs it over
a whole file at once; here the LSTM state and the 64-sample context carry over between calls,
so feeding audio in any chunking gives nearly the probabilities of one call over all of it
(the resets below fall where a chunk ends: LibriVox with pauses in 0.2 s chunks, 2 of 1,241
frames on the other side of the 0.4 gate). Cost: ~2 ms of CPU per second of audio.

The LSTM state is reset after each second without speech. Carried over a long stream it
drifts (its cell state grew from |c| 7 to 39 over 28 s of a monologue and 3 s of silence,
and to 23 over 30 s of digital silence) until the model stops hearing speech: the next
utterance scored 0.00 of its frames as speech instead of 0.58, so Whisper, which decodes
speech only, dropped 13 s of it. A fresh state needs no warm-up (the model starts streams
from zeros), so a reset in a pause changes nothing else; faster-whisper's own VAD, which
runs one state over up to 320 s, misses that utterance too.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FRAME_SAMPLES = 512  # 32 ms at 16 kHz: the model's input
CONTEXT_SAMPLES = 64
RATE_HZ = 16000
QUIET_PROBABILITY = 0.3  # below this a frame counts as no speech for the reset
RESET_AFTER_QUIET_FRAMES = 31  # ~1 s without speech: the LSTM state restarts (docstring)


def model_path() -> Path:
    """faster-whisper's Silero VAD model, found without importing faster-whisper (heavy)."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the Silero VAD needs the faster-whisper package (pip install "
                           "faster-whisper)")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise RuntimeError(f"the Silero VAD model is missing: {path}")
    return path


def load_session() -> Any:
    """An onnxruntime session of the model on one thread (~4 ms once the library is loaded;
    each stream has its own, so streams share no state)."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(str(model_path()), sess_options=opts,
                                        providers=["CPUExecutionProvider"])


class SileroStream:
    """Speech probabilities of one audio stream, frame by frame. Not thread-safe."""

    frame_samples = FRAME_SAMPLES

    def __init__(self) -> None:
        self._session = load_session()
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)
        self._quiet = 0  # frames in a row below QUIET_PROBABILITY
        self.resets = 0  # state resets so far

    def probabilities(self, frames: npt.NDArray[np.int16]) -> npt.NDArray[np.float32]:
        """One probability per frame of `frames` (whole frames: a multiple of 512 samples)."""
        if frames.size == 0:
            return np.zeros(0, dtype=np.float32)
        audio = (frames.astype(np.float32) / 32768.0).reshape(-1, FRAME_SAMPLES)
        # at most a reset's worth of frames per run, so a long call resets like a stream
        out = [self._run(audio[i:i + RESET_AFTER_QUIET_FRAMES])
               for i in range(0, audio.shape[0], RESET_AFTER_QUIET_FRAMES)]
        return np.concatenate(out)

    def _run(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        context = np.concatenate([self._context[None], audio[:-1, -CONTEXT_SAMPLES:]])
        batch = np.concatenate([context, audio], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h,
                                                         "c": self._c})
        self._context = audio[-1, -CONTEXT_SAMPLES:].copy()
        probs = np.asarray(out, dtype=np.float32).reshape(-1)
        loud = np.flatnonzero(probs >= QUIET_PROBABILITY)
        self._quiet = probs.size - 1 - int(loud[-1]) if loud.size else self._quiet + probs.size
        if self._quiet >= RESET_AFTER_QUIET_FRAMES:
            self._h = np.zeros_like(self._h)
            self._c = np.zeros_like(self._c)
            self._quiet = 0
            self.resets += 1
        return probs

    def speech(self, frames: npt.NDArray[np.int16], threshold: float) -> npt.NDArray[np.bool_]:
        return self.probabilities(frames) >= threshold
