"""The faster-whisper CTranslate2 models the app knows how to download.

Repository ids and the file patterns are those of faster-whisper's own table
(`faster_whisper.utils._MODELS` and `download_model`'s `allow_patterns`, faster-whisper 1.2.1);
tests/models/test_catalogue.py checks them against the installed faster-whisper so they cannot
drift. Sizes are approximate (the sum of the repository files, in MB).

`english_rank` orders the models by expected English accuracy (higher is better), from the
published word error rates (Whisper paper, table 2; the distil-whisper model cards): the `.en`
variants beat the multilingual ones of the same size on English, distil-small.en sits between
base.en and small. It is an ordering, not a measurement; `wer_percent` and `speed_x_realtime`
hold measurements from bench/ where one was made (None otherwise).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .errors import UnknownModelError

# faster_whisper.utils.download_model: what a CTranslate2 Whisper model needs, nothing else
# (the repositories also hold README.md, .gitattributes...).
ALLOW_PATTERNS: tuple[str, ...] = (
    "config.json",
    "preprocessor_config.json",
    "model.bin",
    "tokenizer.json",
    "vocabulary.*",
)

# ctranslate2.models.Whisper.is_multilingual: a multilingual vocabulary has 51865 tokens or
# more (large-v3 has 51866), the English-only one 51864.
MULTILINGUAL_MIN_VOCABULARY = 51865


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One downloadable model. `size_mb` is approximate; measurements are None until made."""

    name: str
    repo_id: str
    size_mb: int
    multilingual: bool
    english_rank: int
    parameters_m: int
    revision: str = "main"
    wer_percent: float | None = None  # measured by bench/ on our English test speech
    speed_x_realtime: float | None = None  # seconds of audio decoded per second, on CPU

    cantonese: bool = False  # large-v3 added the "yue" token (vocabulary 51866)

    @property
    def languages(self) -> tuple[str, ...]:
        """Language codes the model transcribes (see `whisper_languages()`)."""
        if not self.multilingual:
            return ("en",)
        return tuple(c for c in whisper_languages() if self.cantonese or c != "yue")

    def supports(self, language: str) -> bool:
        return language == "en" or self.multilingual

    @property
    def size_bytes(self) -> int:
        return self.size_mb * 1_000_000


@functools.cache
def whisper_languages() -> tuple[str, ...]:
    """Whisper's language codes, as faster-whisper's tokenizer accepts them.

    Empty when faster-whisper is not installed: then no engine here could run a multilingual
    model anyway. (The list is only exposed as the private `_LANGUAGE_CODES`; taking it from
    there keeps it identical to what the engine accepts instead of a hand-typed copy.)
    """
    try:
        from faster_whisper.tokenizer import _LANGUAGE_CODES
    except ImportError:
        return ()
    return tuple(_LANGUAGE_CODES)


CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec("tiny.en", "Systran/faster-whisper-tiny.en", 78, False, 2, 39),
    ModelSpec("tiny", "Systran/faster-whisper-tiny", 78, True, 1, 39),
    ModelSpec("base.en", "Systran/faster-whisper-base.en", 148, False, 4, 74),
    ModelSpec("base", "Systran/faster-whisper-base", 148, True, 3, 74),
    ModelSpec("distil-small.en", "Systran/faster-distil-whisper-small.en", 336, False, 5, 166),
    ModelSpec("small.en", "Systran/faster-whisper-small.en", 487, False, 7, 244),
    ModelSpec("small", "Systran/faster-whisper-small", 487, True, 6, 244),
    ModelSpec("medium.en", "Systran/faster-whisper-medium.en", 1530, False, 9, 769),
    ModelSpec("medium", "Systran/faster-whisper-medium", 1530, True, 8, 769),
    ModelSpec("large-v3-turbo", "mobiuslabsgmbh/faster-whisper-large-v3-turbo", 1620, True, 10,
              809, cantonese=True),
    ModelSpec("large-v3", "Systran/faster-whisper-large-v3", 3090, True, 11, 1550,
              cantonese=True),
)

_BY_NAME = {spec.name: spec for spec in CATALOGUE}


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def find(name: str) -> ModelSpec | None:
    return _BY_NAME.get(name)


def get(name: str) -> ModelSpec:
    """The catalogue entry for `name`; `UnknownModelError` lists the known names."""
    spec = _BY_NAME.get(name)
    if spec is None:
        raise UnknownModelError(name, names())
    return spec
