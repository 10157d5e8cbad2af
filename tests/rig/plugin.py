"""pytest fixtures for the virtual-microphone rig (a conftest re-exports them).

`pulse_rig` (session): an isolated PulseAudio daemon with the virtual microphone, its env put
into this process before PortAudio first enumerates devices. If PulseAudio is missing the
fixture fails (never skips) with a message saying scripts/test installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .pulse import PulseRig, PulseRigError


@pytest.fixture(scope="session")
def pulse_rig() -> Iterator[PulseRig]:
    rig = PulseRig()
    try:
        rig.start()
    except PulseRigError as exc:
        pytest.fail(str(exc), pytrace=False)
    rig.apply_to_process()
    try:
        yield rig
    finally:
        rig.stop()


@pytest.fixture
def sd(pulse_rig: PulseRig) -> Iterator[Any]:
    """The real sounddevice module, talking to the rig (the microphone restored afterwards)."""
    import sounddevice

    yield sounddevice
    pulse_rig.restore_microphone()
    # A test may have unplugged the microphone: give the next test a fresh PortAudio.
    sounddevice._terminate()
    sounddevice._initialize()
