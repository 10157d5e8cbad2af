"""Levels in dBFS of int16 and float blocks, as the meter and the VAD gate read them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scribe_desktop.audio.pcm import level_dbfs


def test_a_full_scale_sine_reads_minus_three_rms_and_zero_peak() -> None:
    """A full-scale int16 sine measures -3.01 dBFS RMS and 0 dBFS peak."""
    t = np.arange(16000) / 16000
    sine = np.round(np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    rms, peak = level_dbfs(sine)
    assert rms == pytest.approx(-3.01, abs=0.01)
    assert peak == pytest.approx(0.0, abs=0.01)


def test_int16_and_float_forms_of_the_same_sound_read_the_same() -> None:
    """The int16 samples and their float equivalent give the same levels."""
    rng = np.random.default_rng(7)
    pcm = rng.integers(-9000, 9000, 800).astype(np.int16)
    as_float = pcm.astype(np.float32) / 32768
    assert level_dbfs(pcm) == pytest.approx(level_dbfs(as_float), abs=1e-4)
    x = as_float.astype(np.float64)
    expected_rms = 20 * math.log10(math.sqrt(float(np.mean(x * x))))
    expected_peak = 20 * math.log10(float(np.max(np.abs(x))))
    assert level_dbfs(pcm) == pytest.approx((expected_rms, expected_peak), abs=1e-4)


def test_the_most_negative_sample_is_full_scale() -> None:
    """-32768 is a 0 dBFS peak, so a negative-going click is not under-read."""
    block = np.zeros(160, dtype=np.int16)
    block[3] = -32768
    assert level_dbfs(block)[1] == pytest.approx(0.0)


def test_silence_and_empty_blocks_read_minus_infinity() -> None:
    """Digital silence and an empty block read -inf, never an error."""
    assert level_dbfs(np.zeros(320, dtype=np.int16)) == (float("-inf"), float("-inf"))
    assert level_dbfs(np.zeros(0, dtype=np.float32)) == (float("-inf"), float("-inf"))


def test_a_two_dimensional_block_is_measured_over_all_its_samples() -> None:
    """Frames x channels read as the same samples laid flat."""
    frames = np.array([[0.5, -0.25], [0.1, 0.0]], dtype=np.float32)
    assert level_dbfs(frames) == pytest.approx(level_dbfs(frames.ravel()))
