"""scribe-desktop: desktop dictation over the ElevenLabs Scribe v2 Realtime protocol."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scribe-desktop")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"
