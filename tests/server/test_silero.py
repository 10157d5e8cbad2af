"""The streaming Silero VAD hears speech after a long stream as well as at its start."""

from __future__ import annotations

import numpy as np
import pytest

from scribe_desktop.server import silero
from scribe_desktop.server.silero import FRAME_SAMPLES, SileroStream
from tests.human_speech import librivox, mfa

CHUNK = 3200 - 3200 % FRAME_SAMPLES  # ~0.2 s, as the server feeds it
GATE = 0.4


def whole(samples: np.ndarray) -> np.ndarray:
    return samples[:samples.size - samples.size % FRAME_SAMPLES]


def streamed(stream: SileroStream, samples: np.ndarray) -> np.ndarray:
    audio = whole(samples)
    return np.concatenate([stream.probabilities(audio[i:i + CHUNK])
                           for i in range(0, audio.size, CHUNK)])


def speech_share(probabilities: np.ndarray) -> float:
    return float((probabilities >= GATE).mean())


@pytest.fixture(scope="module")
def speech() -> list[np.ndarray]:
    return [u.samples for u in librivox()]


def test_speech_after_a_long_silence_is_heard_as_at_the_start(speech) -> None:
    """After 60 s of digital silence the clips score as speech as often as in a new stream."""
    stream = SileroStream()
    streamed(stream, np.zeros(60 * 16000, np.int16))
    for clip in speech:
        fresh = speech_share(SileroStream().probabilities(whole(clip)))
        assert speech_share(streamed(stream, clip)) >= fresh - 0.05
        streamed(stream, np.zeros(3 * 16000, np.int16))
    assert stream.resets > 0


def test_a_monologue_does_not_dull_the_next_one() -> None:
    """After a 27 s monologue and 3 s of silence, the next monologue (a speaker with a cold,
    quieter) scores as speech as often as in a new stream (it scored 0.00 with one state)."""
    first, second = [u.samples for u in mfa() if u.source == "mfa-monologue"][:2]
    stream = SileroStream()
    streamed(stream, np.concatenate([first, np.zeros(3 * 16000, np.int16)]))
    fresh = speech_share(SileroStream().probabilities(whole(second)))
    assert fresh > 0.5
    assert speech_share(streamed(stream, second)) >= fresh - 0.05


def test_resets_happen_only_without_speech(speech, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clip with no second-long pause streams exactly as without resets."""
    clip = speech[0]
    with_resets = SileroStream()
    reference = streamed(with_resets, clip)
    monkeypatch.setattr(silero, "RESET_AFTER_QUIET_FRAMES", 10**9)
    assert with_resets.resets == 0
    np.testing.assert_allclose(streamed(SileroStream(), clip), reference, atol=1e-5)
