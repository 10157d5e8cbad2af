"""What the fault scenarios say: sentences of distinct words from a closed vocabulary (most
of the NATO alphabet, planets, colours, months...: long words that pocketsphinx does not
confuse on espeak-ng's voice; "elephant" is out: it took "alpha" or "delta" in 3 of 60
fault-free runs), so that every word spoken is recognised exactly by an engine held to
that vocabulary and each one can be counted as lost or duplicated; and the audio of them,
spoken by espeak-ng with pauses between sentences long enough for a VAD commit."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.speech import pcm16, synth

VOCABULARY = (
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "india", "juliet", "lima",
    "mike", "november", "oscar", "papa", "romeo", "tango", "uniform", "victor", "whiskey",
    "yankee", "zulu", "mercury", "venus", "jupiter", "saturn", "neptune", "purple", "orange",
    "yellow", "silver", "violet", "lavender", "october", "september", "december", "banana",
    "tomato", "potato", "kangaroo")

GRAMMAR = ("#JSGF V1.0;\ngrammar words;\npublic <utterance> = <word>*;\n<word> = "
           + " | ".join(VOCABULARY) + ";\n")
RATE_HZ = 16000
PAUSE_S, LEAD_S, TAIL_S = 1.6, 0.4, 1.0


@dataclass(frozen=True)
class Script:
    """Sentences (lists of words), every word of the vocabulary at most once."""

    sentences: tuple[tuple[str, ...], ...]

    @classmethod
    def shuffled(cls, seed: int, sentences: int = 6, words_per_sentence: int = 5) -> Script:
        if sentences * words_per_sentence > len(VOCABULARY):
            raise ValueError("the vocabulary has too few words for that script")
        order = list(VOCABULARY)
        random.Random(seed).shuffle(order)
        return cls(tuple(tuple(order[i * words_per_sentence:(i + 1) * words_per_sentence])
                         for i in range(sentences)))

    @property
    def words(self) -> list[str]:
        return [w for sentence in self.sentences for w in sentence]

    def audio(self, pause_s: float = PAUSE_S, lead_s: float = LEAD_S,
              tail_s: float = TAIL_S) -> bytes:
        """PCM16 mono at RATE_HZ: the sentences with `pause_s` of near-silence between them
        (longer than the default VAD silence threshold, so VAD and the cloud commit there)."""
        parts = [np.zeros(round(lead_s * RATE_HZ), dtype=np.int16)]
        for i, spoken in enumerate(self._spoken()):
            if i:
                parts.append(np.zeros(round(pause_s * RATE_HZ), dtype=np.int16))
            parts.append(spoken)
        parts.append(np.zeros(round(tail_s * RATE_HZ), dtype=np.int16))
        return np.concatenate(parts).tobytes()

    def spans(self, pause_s: float = PAUSE_S, lead_s: float = LEAD_S
              ) -> list[tuple[float, float]]:
        """(start, end) seconds of each sentence in `audio()` with the same spacing."""
        spans, at = [], lead_s
        for spoken in self._spoken():
            end = at + len(spoken) / RATE_HZ
            spans.append((at, end))
            at = end + pause_s
        return spans

    def _spoken(self) -> list[np.ndarray]:
        return [np.frombuffer(pcm16(synth(" ".join(sentence), rate_hz=RATE_HZ)),
                              dtype=np.int16) for sentence in self.sentences]

    def write_wav(self, path: Path, **audio_options: float) -> Path:
        import soundfile

        samples = np.frombuffer(self.audio(**audio_options), dtype=np.int16)
        soundfile.write(str(path), samples, RATE_HZ, subtype="PCM_16")
        return path


@dataclass(frozen=True)
class Tally:
    """Words of the script missing from a transcript, and words in it more than once."""

    lost: list[str]
    duplicated: list[str]
    unexpected: list[str]

    @classmethod
    def of(cls, script: Script, transcript: str) -> Tally:
        said = Counter(w.strip(".,?!;:").lower() for w in transcript.split())
        said.pop("", None)
        expected = set(script.words)
        return cls(lost=[w for w in script.words if said[w] == 0],
                   duplicated=sorted(w for w, n in said.items() if n > 1 and w in expected),
                   unexpected=sorted(w for w in said if w not in expected))

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.unexpected)
