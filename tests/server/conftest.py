"""Fixtures of the server tests: a session-wide server running the Whisper engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import RunningServer
from tests.whisper_model import launch_whisper_server


@pytest.fixture(scope="session")
def whisper_server() -> Iterator[RunningServer]:
    """One server with `--engine whisper` and tiny.en, shared by the whole test session."""
    server = launch_whisper_server()
    try:
        yield server
    finally:
        server.stop()
