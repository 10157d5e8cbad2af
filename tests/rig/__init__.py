"""A virtual microphone for tests: an isolated PulseAudio daemon with a null sink whose monitor
is remapped as the default source (shared/docs/test-rig.md). `PulseRig` starts and stops it;
`tests.rig.plugin` wraps it in a session-scoped pytest fixture."""

from .pulse import PulseRig, PulseRigError

__all__ = ["PulseRig", "PulseRigError"]
