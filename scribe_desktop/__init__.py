"""scribe-desktop: desktop dictation over the ElevenLabs Scribe v2 Realtime protocol."""

# The one place the version lives: pyproject.toml reads it from here (setuptools `attr:`,
# parsed without importing), so it is right in a source tree, an install and a PyInstaller
# bundle alike, where package metadata may be missing.
__version__ = "0.1.0"
