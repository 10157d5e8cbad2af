"""Audio formats of the Scribe realtime protocol (protocol doc §9.1)."""

from __future__ import annotations

from enum import StrEnum


class Encoding(StrEnum):
    """How samples are laid out on the wire; mono only (§9.1)."""

    PCM16 = "pcm16"  # signed 16-bit little-endian
    ULAW = "ulaw"  # 8-bit G.711 mu-law


class AudioFormat(StrEnum):
    """The `audio_format` query parameter; the server default is `pcm_16000` (§4)."""

    PCM_8000 = "pcm_8000"
    PCM_16000 = "pcm_16000"
    PCM_22050 = "pcm_22050"
    PCM_24000 = "pcm_24000"
    PCM_44100 = "pcm_44100"
    PCM_48000 = "pcm_48000"
    ULAW_8000 = "ulaw_8000"

    @property
    def sample_rate_hz(self) -> int:
        return int(self.value.split("_")[1])

    @property
    def encoding(self) -> Encoding:
        return Encoding.ULAW if self is AudioFormat.ULAW_8000 else Encoding.PCM16

    @property
    def bytes_per_sample(self) -> int:
        return 1 if self.encoding is Encoding.ULAW else 2

    def duration_s(self, nbytes: int) -> float:
        """Seconds of mono audio held in `nbytes` bytes of this format."""
        return nbytes / (self.bytes_per_sample * self.sample_rate_hz)

    def bytes_for(self, seconds: float) -> int:
        """Whole-sample byte count for `seconds` of audio (rounded up)."""
        samples = -(-round(seconds * self.sample_rate_hz * 1000) // 1000)
        return samples * self.bytes_per_sample

    def silence(self, seconds: float) -> bytes:
        """Digital silence of this format (0x00 for PCM16, 0xFF for mu-law)."""
        n = self.bytes_for(seconds)
        return (b"\xff" if self.encoding is Encoding.ULAW else b"\x00") * n

    @classmethod
    def for_rate(cls, sample_rate_hz: int) -> AudioFormat:
        """The PCM16 format at `sample_rate_hz`; ValueError if the protocol has none."""
        try:
            return cls(f"pcm_{sample_rate_hz}")
        except ValueError:
            raise ValueError(f"no pcm format at {sample_rate_hz} Hz") from None
