"""What a backend's engine can do with the settings: its languages, whether it detects the
language, and which options it honours. No Qt; pure data.

The settings dialog asks the current backend (`Backend.capabilities`) so an option the engine
ignores is shown disabled with the reason, and the worker checks a session's options before
connecting, so an unsupported language fails with its own message instead of a server
rejection.

The local server says what it runs on its ready line (`{"event": "ready", "engine": ...,
"model": ..., "languages": [...], "features": [...]}`); a ready line without those keys is
the pocketsphinx engine, which transcribes English only and honours no optional setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..protocol.languages import SCRIBE_LANGUAGES, canonical, label
from ..protocol.options import SessionOptions

# the optional settings an engine may honour, with the words a reason uses for them
FEATURE_WORDS = {"keyterms": "key terms", "no_verbatim": "filler-word removal",
                 "model_id": "a model choice"}


class UnsupportedLanguageError(ValueError):
    """The chosen language is not one the backend's engine transcribes."""

    def __init__(self, language: str, capabilities: Capabilities) -> None:
        self.language = canonical(language)
        self.capabilities = capabilities
        super().__init__(f"{label(language)} is not a language {capabilities.engine} "
                         "transcribes")


@dataclass(frozen=True, slots=True)
class Capabilities:
    """`languages` None: not known (anything may be asked); `features`: the optional
    settings (`FEATURE_WORDS` keys) the engine honours; `where` names the backend."""

    engine: str  # what a user reads: "pocketsphinx", "Whisper small.en", "ElevenLabs Scribe"
    languages: tuple[str, ...] | None
    detects_language: bool
    features: frozenset[str]
    where: str = "local"
    model: str | None = None

    def supports_language(self, code: str | None) -> bool:
        if not code:
            return True  # auto-detect, or the engine's only language
        return self.languages is None or canonical(code) in self.languages

    def supports(self, feature: str) -> bool:
        return feature in self.features

    def unsupported_reason(self, feature: str) -> str | None:
        """Why the setting `feature` does nothing here (None: it is honoured)."""
        if self.supports(feature):
            return None
        words = FEATURE_WORDS.get(feature, feature)
        return f"The {self.where} engine ({self.engine}) does not use {words}."

    @property
    def language_note(self) -> str:
        """One line about the languages, for the settings dialog."""
        if self.languages is None:
            return "The server decides which languages it accepts."
        if len(self.languages) == 1:
            return f"{self.engine} transcribes {label(self.languages[0])} only."
        detect = " or detects it" if self.detects_language else ""
        return f"{self.engine} transcribes {len(self.languages)} languages{detect}."

    def check(self, options: SessionOptions) -> None:
        """Raise `UnsupportedLanguageError` for a session this engine cannot run."""
        if not self.supports_language(options.language_code):
            raise UnsupportedLanguageError(options.language_code or "", self)

    @classmethod
    def from_ready(cls, ready: Mapping[str, Any]) -> Capabilities:
        """The local server's ready line; without engine keys, pocketsphinx."""
        engine = ready.get("engine")
        if not isinstance(engine, str) or not engine:
            return POCKETSPHINX
        model = ready.get("model") if isinstance(ready.get("model"), str) else None
        raw = ready.get("languages")
        languages = tuple(dict.fromkeys(canonical(str(c)) for c in raw)) \
            if isinstance(raw, list) and raw else None
        features = ready.get("features")
        named = frozenset(str(f) for f in features) & set(FEATURE_WORDS) \
            if isinstance(features, list) else frozenset()
        shown = f"{engine.capitalize()} {model}" if model else engine
        return cls(shown, languages, detects_language=languages is None or len(languages) > 1,
                   features=named, model=model)


POCKETSPHINX = Capabilities("pocketsphinx", ("en",), detects_language=False,
                            features=frozenset())
CLOUD = Capabilities("ElevenLabs Scribe", SCRIBE_LANGUAGES, detects_language=True,
                     features=frozenset(FEATURE_WORDS), where="ElevenLabs")
UNKNOWN = Capabilities("the server's engine", None, detects_language=True,
                       features=frozenset(FEATURE_WORDS), where="server")
