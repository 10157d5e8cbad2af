"""Human read speech for tests and benchmarks: the LibriVox clips of Debian's pocketsphinx-testdata.

Five utterances (24.7 s) read by one speaker, with their reference transcripts. There is no
fallback: a benchmark of accuracy or latency on synthetic speech would not be comparable, so
a missing package fails loudly with the command that installs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16000
DESCRIPTION = "LibriVox read speech (Debian pocketsphinx-testdata, 5 utterances, 1 speaker)"


class MissingSpeech(RuntimeError):
    """The benchmark speech is not installed."""


@dataclass(frozen=True)
class Utterance:
    name: str
    samples: npt.NDArray[np.int16]  # 16 kHz mono
    text: str  # reference transcript, lower case, no punctuation

    @property
    def seconds(self) -> float:
        return self.samples.size / RATE


def librivox() -> list[Utterance]:
    """The five utterances, in the order of the package's transcription file."""
    import soundfile

    transcripts = LIBRIVOX / "transcription"
    if not transcripts.exists():
        raise MissingSpeech(f"{transcripts} is missing: install the human read speech with "
                            "`apt-get install pocketsphinx-testdata` (scripts/bootstrap.sh "
                            "does it)")
    out = []
    for line in transcripts.read_text().splitlines():
        text, _, name = line.rpartition("(")
        name = name.strip(" )")
        data, rate = soundfile.read(str(LIBRIVOX / f"{name}.wav"), dtype="int16")
        if rate != RATE:
            raise MissingSpeech(f"{name}.wav is {rate} Hz, not {RATE}")
        clean = text.replace("<s>", "").replace("</s>", "").strip()
        out.append(Utterance(name, np.asarray(data, dtype=np.int16), clean))
    if len(out) != 5:
        raise MissingSpeech(f"expected 5 LibriVox utterances in {transcripts}, found {len(out)}")
    return out


ALSA_SOUNDS = Path("/usr/share/sounds/alsa")
ALSA_RATE = 48000


@dataclass(frozen=True)
class Clip:
    name: str
    samples: npt.NDArray[np.int16]  # 48 kHz mono
    text: str  # what the voice says ("" for the noise clip)


def alsa_voice() -> list[Clip]:
    """Debian alsa-utils' speaker-test voice: a second human speaker saying eight short
    channel names ("Front Left", ...) at 48 kHz, then its pink noise clip ("Noise.wav", no
    speech)."""
    import soundfile

    if not (ALSA_SOUNDS / "Front_Left.wav").exists():
        raise MissingSpeech(f"{ALSA_SOUNDS} is missing: `apt-get install alsa-utils` "
                            "(scripts/bootstrap.sh does it)")
    clips = []
    for wav in sorted(ALSA_SOUNDS.glob("*.wav")):
        data, rate = soundfile.read(str(wav), dtype="int16")
        if rate != ALSA_RATE or data.ndim != 1:
            raise MissingSpeech(f"{wav} is not 48 kHz mono")
        text = "" if wav.stem == "Noise" else wav.stem.replace("_", " ").lower()
        clips.append(Clip(wav.stem, np.asarray(data, dtype=np.int16), text))
    return clips
