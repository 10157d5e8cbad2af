"""Deterministic test speech: espeak-ng + sox (test-rig.md), and word error rate.

espeak-ng's digitally clean speech decodes badly in pocketsphinx; a faint white noise floor
(`sox -R`, repeatable) brings WER to ~12 %. Files are cached by content of the recipe.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from scribe_desktop.core import accuracy

# Chosen so the offline engine decodes each one reliably when streamed: measured per sentence
# with fresh sessions over 20 variants (chunks of 50-256 ms, start offsets, 0-0.45 s of lead
# silence), every one of these gives WER 0.00, except the last (0.11: "turn" -> "third").
# Through the microphone path "turn off" once came back as "third off": a test that checks
# one particular word uses SENTENCES[1].
# Tests then fail on our bugs, not on pocketsphinx's accuracy. Dropped for that reason: "the
# quick brown fox jumps over the lazy dog" (WER 0.56), "we will meet at the station at noon"
# (0.25-0.62), "the weather is nice today" (0.8-1.2). `wer()` thresholds still catch real
# regressions (a lost word or segment costs 0.11-0.2 on its own).
SENTENCES = (
    "turn off the music in the living room",
    "please call me back tomorrow morning",
    "i would like a cup of coffee please",
    "the meeting starts at ten in the morning",
    "we need more time to finish the project",
    "open the door and turn on the kitchen lights",
)

CACHE_DIR = Path(os.environ.get("SCRIBE_TEST_CACHE", Path(tempfile.gettempdir()) /
                                "scribe-desktop-test-speech"))


def require_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    if missing:
        raise RuntimeError(f"test speech needs {', '.join(missing)}: run scripts/test, which "
                           "installs them (apt-get install espeak-ng sox)")


def synth(text: str, *, rate_hz: int = 16000, noise: bool = True, lead_silence_s: float = 0.0,
          tail_silence_s: float = 0.0, fmt: str = "wav") -> Path:
    """A mono 16-bit file of espeak-ng (en-us, 150 wpm) saying `text`, resampled to `rate_hz`,
    with optional silence around it and a faint noise floor. Cached; repeatable bytes."""
    require_tools()
    recipe = f"{text}|{rate_hz}|{noise}|{lead_silence_s}|{tail_silence_s}|{fmt}|v1"
    key = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    out = CACHE_DIR / f"{key}.{fmt}"
    if out.exists():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        clean = Path(tmp) / "clean.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text],
                       check=True, capture_output=True)
        pad = ["pad", str(lead_silence_s), str(tail_silence_s)]
        subprocess.run(["sox", "-R", str(raw), "-r", str(rate_hz), "-c", "1", "-b", "16",
                        str(clean), *pad], check=True, capture_output=True)
        staged = Path(tmp) / f"out.{fmt}"
        if noise:
            noisy = Path(tmp) / "noisy.wav"
            proc = subprocess.run(["sox", "-R", str(clean), "-p", "synth", "whitenoise",
                                   "vol", "0.005"], check=True, capture_output=True)
            subprocess.run(["sox", "-R", "-m", str(clean), "-", str(noisy)], input=proc.stdout,
                           check=True, capture_output=True)
            clean = noisy
        subprocess.run(["sox", "-R", str(clean), str(staged)], check=True, capture_output=True)
        shutil.move(str(staged), out)
    return out


def pcm16(path: Path) -> bytes:
    """The raw PCM16 samples of a WAV written by `synth`."""
    import soundfile

    data, _ = soundfile.read(str(path), dtype="int16")
    return bytes(data.tobytes())


def voiced(text: str) -> Any:
    """`synth(text)` as 16 kHz int16 samples, cut where the voice ends (espeak-ng leaves
    ~0.4 s of silence after it): for tests that need to know where the speech stops."""
    import numpy as np

    said = np.frombuffer(pcm16(synth(text)), dtype=np.int16)
    return said[:np.nonzero(np.abs(said) > 300)[0][-1] + 1]


def words(text: str) -> list[str]:
    return accuracy.words(text)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level Levenshtein distance / reference length."""
    return accuracy.word_error_rate(reference, hypothesis)


def normalise(text: str) -> str:
    """Whisper's English text normaliser (the Whisper paper's and the Open ASR leaderboard's):
    "Mr." -> "mister", hyphens -> spaces, spoken numbers -> digits, British -> American
    spelling, fillers ("uh", "um") and bracketed markup dropped. Then numbers written side by
    side are joined as it joins spoken ones: it makes "five five" "55" but leaves "5 5" as
    two words, which scored an exact transcription as two errors."""
    out: list[str] = []
    for word in str(_english_normaliser()(text)).split():
        if out and word.isdigit() and out[-1].isdigit():
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


def wer_normalised(reference: str, hypothesis: str) -> float:
    """Word error rate after `normalise` on both sides: what the benchmarks report."""
    return corpus_wer([reference], [hypothesis], normalised=True)


def corpus_wer(references: list[str], hypotheses: list[str], *, normalised: bool) -> float:
    """Word errors of all pairs over all reference words (not a mean of per-pair rates);
    `normalised`: Whisper's normaliser, else the plain one (case and punctuation only)."""
    import jiwer

    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    clean = normalise if normalised else (lambda text: " ".join(words(text)))
    pairs = [(clean(r), clean(h)) for r, h in zip(references, hypotheses, strict=True)]
    ref_words = sum(len(r.split()) for r, _ in pairs)
    if ref_words == 0:
        return 0.0 if not any(h.split() for _, h in pairs) else 1.0
    # jiwer refuses empty references: count an empty reference's hypothesis as insertions
    spoken = [(r, h) for r, h in pairs if r.split()]
    inserted = sum(len(h.split()) for r, h in pairs if not r.split())
    out = jiwer.process_words([r for r, _ in spoken], [h for _, h in spoken])
    return (out.substitutions + out.deletions + out.insertions + inserted) / ref_words


@functools.cache
def _english_normaliser() -> Any:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()
