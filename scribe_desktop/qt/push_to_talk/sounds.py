"""Feedback sounds of push-to-talk: a short cue when dictation starts, when the key is
released, and when nothing was heard or the text did not land (`seams.Cue`), from a bundled
set in resources/sounds/<set>/<cue>.wav, at the volume of the settings.

Playing never blocks the loop (and so never the capture, whose blocks reach the loop): each
cue is written to its own PortAudio output stream on one background thread, which opens,
plays and closes it; a cue asked for while one plays waits its turn. A missing file or an
unusable output device is logged once and the cue is skipped: sounds are a comfort, never a
reason for a dictation to fail.
"""

from __future__ import annotations

import array
import concurrent.futures
import logging
import sys
import wave
from pathlib import Path
from typing import Any

from .seams import Cue

log = logging.getLogger(__name__)

# resources/ sits beside the package in the source tree and in the PyInstaller bundle.
SOUNDS_DIR = Path(__file__).resolve().parents[3] / "resources" / "sounds"


def sound_sets(directory: Path = SOUNDS_DIR) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.is_dir()) if directory.is_dir() \
        else []


def load_cue(path: Path, volume: int) -> tuple[bytes, int]:
    """(16-bit mono PCM scaled to `volume` percent, sample rate) of a WAV file."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: not 16-bit mono")
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    scale = max(0, min(100, volume)) / 100
    scaled = array.array("h", (int(s * scale) for s in samples))
    if sys.byteorder == "big":
        scaled.byteswap()
    return scaled.tobytes(), rate


class FeedbackSounds:
    """Plays cues through `sd` (the sounddevice module; imported lazily by default)."""

    def __init__(self, *, enabled: bool = True, volume: int = 50, sound_set: str = "soft",
                 directory: Path = SOUNDS_DIR, sd: Any = None,
                 device: int | str | None = None) -> None:
        self.enabled = enabled
        self.volume = volume
        self.sound_set = sound_set
        self.directory = directory
        self.device = device
        self._sd = sd
        self._cache: dict[tuple[str, Cue, int], tuple[bytes, int]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cues")
        self._failed: set[str] = set()
        self.played: list[Cue] = []  # what was played, in order (status and tests)

    def configure(self, *, enabled: bool, volume: int, sound_set: str) -> None:
        self.enabled, self.volume, self.sound_set = enabled, volume, sound_set

    def play(self, cue: Cue) -> concurrent.futures.Future[bool] | None:
        """Play `cue` in the background; the future says whether it played (None: off)."""
        if not self.enabled or self.volume <= 0:
            return None
        return self._pool.submit(self._play, cue, self.sound_set, self.volume)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _play(self, cue: Cue, sound_set: str, volume: int) -> bool:
        try:
            key = (sound_set, cue, volume)
            if key not in self._cache:
                self._cache[key] = load_cue(self.directory / sound_set / f"{cue}.wav", volume)
            data, rate = self._cache[key]
            if self._sd is None:
                import sounddevice  # lazy: PortAudio only when a cue plays

                self._sd = sounddevice
            with self._sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16",
                                    device=self.device) as stream:
                stream.write(data)
        except Exception as exc:  # no output device, a missing file: skip the cue
            reason = f"{type(exc).__name__}: {exc}"
            if reason not in self._failed:
                self._failed.add(reason)
                log.warning("feedback sound %s not played: %s", cue, reason)
            return False
        self.played.append(cue)
        return True
