"""Fixtures of the desktop-app tests: offscreen Qt, an in-memory keyring, a scripted
microphone. The virtual-microphone rig's fixtures come from tests/conftest.py's
pytest_plugins: re-exporting them here would start a second PulseAudio daemon.

Async tests here never run a nested Qt event loop (test-rig.md: that hangs the teardown);
signals between objects on one thread are delivered directly, so they need none.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from tests.app.fakes import FakeMicrophone, MemoryKeyring


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def fake_mic() -> Iterator[FakeMicrophone]:
    mic = FakeMicrophone()
    yield mic
