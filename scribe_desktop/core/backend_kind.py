"""Which backend dictation uses: the offline server on this computer, or the ElevenLabs cloud.
The one vocabulary of settings, the command line (`--backend local|cloud`) and the history."""

from __future__ import annotations

from enum import StrEnum


class BackendKind(StrEnum):
    LOCAL = "local"
    CLOUD = "cloud"

    @classmethod
    def _missing_(cls, value: object) -> BackendKind | None:
        # settings written before the names were unified say "elevenlabs"
        return cls.CLOUD if value == "elevenlabs" else None

    @property
    def label(self) -> str:
        return "Local" if self is BackendKind.LOCAL else "ElevenLabs"


class LocalEngine(StrEnum):
    """The local server's engine: `auto` is the best Whisper model installed, else
    pocketsphinx (which needs no download)."""

    AUTO = "auto"
    WHISPER = "whisper"
    POCKETSPHINX = "pocketsphinx"


def local_server_args(engine: LocalEngine, model: str = "") -> tuple[str, ...]:
    """The `scribe-desktop server` flags that choose `engine` (and `model`, by name)."""
    args: tuple[str, ...] = ("--engine", engine.value)
    if model.strip() and engine is not LocalEngine.POCKETSPHINX:
        args += ("--model", model.strip())
    return args
