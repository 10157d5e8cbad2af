"""The server's own commits wait for a pause, so no word is cut in two."""

from __future__ import annotations

import numpy as np

from scribe_desktop.server.auto_commit import AutoCommit
from tests.speech import SENTENCES, pcm16, synth, voiced

RATE = 16000
CHUNK = 1600  # 100 ms


def speech(text: str) -> np.ndarray:
    return np.frombuffer(pcm16(synth(text)), dtype=np.int16)


def first_commit(auto: AutoCommit, audio: np.ndarray, chunk_samples: int = CHUNK,
                 ) -> float | None:
    """Seconds into `audio` (fed in chunks, 100 ms by default) where `auto` first commits."""
    for start in range(0, audio.size, chunk_samples):
        chunk = audio[start:start + chunk_samples]
        cut = auto.feed((start + chunk.size) / RATE, chunk)
        if cut is not None:
            assert 0 <= cut <= chunk.size
            return (start + cut) / RATE
    return None


def test_it_commits_at_the_first_pause_after_the_window_opens() -> None:
    """Past `after_s`, the commit comes at the pause between two sentences, not mid-word."""
    first, second = speech(SENTENCES[0]), speech(SENTENCES[1])
    pause = np.zeros(RATE // 2, dtype=np.int16)
    audio = np.concatenate([first, pause, second])
    auto = AutoCommit(after_s=1.0, force_s=60.0)
    at = first_commit(auto, audio)
    voice_ends = voiced(SENTENCES[0]).size / RATE
    assert at is not None and voice_ends < at < (first.size + pause.size) / RATE


def test_the_commit_falls_at_the_pause_not_at_the_end_of_the_chunk() -> None:
    """A long chunk that holds the pause and the next sentence's start is committed where the
    pause reached 0.3 s: the next sentence's first word is not cut in two, and the silence
    after the cut (a client's commit padding) stays uncommitted."""
    first, second = speech(SENTENCES[0]), speech(SENTENCES[1])
    pause = np.zeros(RATE, dtype=np.int16)
    audio = np.concatenate([first, pause, second])
    auto = AutoCommit(after_s=1.0, force_s=60.0)
    at = first_commit(auto, audio, chunk_samples=RATE * 2)  # 2 s chunks
    voice_ends = voiced(SENTENCES[0]).size / RATE
    assert at is not None and voice_ends + 0.3 <= at <= voice_ends + 0.6
    assert at < 4.0  # the chunk that holds the pause ends at 4 s


def test_it_commits_anyway_when_no_pause_comes() -> None:
    """A monologue without a pause is committed at `force_s`."""
    first = speech(SENTENCES[0])
    auto = AutoCommit(after_s=1.0, force_s=2.0)
    at = first_commit(auto, first)
    assert first.size / RATE > 2.1
    assert at is not None and 2.0 <= at <= 2.1


def test_before_the_window_opens_silence_does_not_commit() -> None:
    """Silence alone commits only once `after_s` of audio is uncommitted."""
    auto = AutoCommit(after_s=2.0)
    at = first_commit(auto, np.zeros(5 * RATE, dtype=np.int16))
    assert at is not None and 2.0 <= at <= 2.0 + 0.3 + 0.1


def test_reset_starts_over() -> None:
    """After a commit the pause has to come again."""
    auto = AutoCommit(after_s=0.5, pause_s=0.3)
    frames = np.zeros(480 * 5, dtype=np.int16)  # five 30 ms frames
    assert auto.feed(0.6, frames[:480 * 9 // 10 * 1]) is None  # less than a frame: nothing
    assert auto.feed(0.6, frames) is None  # 150 ms of pause
    auto.reset()
    assert auto.feed(0.7, frames) is None  # 150 ms again, counted from the reset
    assert auto.feed(0.8, frames) == frames.size  # 300 ms at the last frame: commit there
