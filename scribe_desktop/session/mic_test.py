"""The welcome's microphone test, Qt-free: record a few seconds from the microphone and say
how loud they were. Playing them back is the Qt worker's (it owns the sound output).

Recording reads a fresh source without pre-roll, so it holds exactly what was said after the
button was pressed; it is refused while a dictation owns the microphone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audio.pcm import level_dbfs, pcm16_bytes_to_array
from .dictation import MicrophoneSource

HEARD_PEAK_DBFS = -45.0  # quieter than this is a muted or disconnected microphone


class MicTestBusyError(RuntimeError):
    """A test recording was asked for while a dictation uses the microphone."""


@dataclass(frozen=True, slots=True)
class MicTest:
    """A test recording: mono PCM16 at `sample_rate_hz`, and how loud it was."""

    pcm: bytes
    sample_rate_hz: int
    peak_dbfs: float
    rms_dbfs: float

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate_hz

    @property
    def heard(self) -> bool:
        """Something louder than a muted microphone's noise was recorded."""
        return self.peak_dbfs > HEARD_PEAK_DBFS


async def record(microphone: MicrophoneSource, seconds: float) -> MicTest:
    """`seconds` of microphone audio from now (without the pre-roll); the microphone must be
    open (the app opens it at launch)."""
    source = microphone.start(preroll=False)
    parts: list[bytes] = []
    rate, captured_s = 16000, 0.0
    try:
        async for chunk in source:
            if chunk.duration_s > 0:  # the chunks say the rate the capture delivers
                rate = round(len(chunk.pcm) / 2 / chunk.duration_s)
            parts.append(chunk.pcm)
            captured_s += chunk.duration_s
            if captured_s >= seconds:
                break
    finally:
        source.stop()
    pcm = b"".join(parts)[:round(seconds * rate) * 2]
    rms, peak = level_dbfs(pcm16_bytes_to_array(pcm))
    return MicTest(pcm, rate, peak, rms)
