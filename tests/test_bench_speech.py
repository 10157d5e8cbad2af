"""The benchmarks run on human speech or not at all: missing data is a loud failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import engine_compare, server_latency
from tests import human_speech

ROOT = Path(__file__).resolve().parent.parent


def test_server_benchmarks_fail_without_the_librivox_data(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """Without pocketsphinx-testdata the server benchmarks stop, naming the package."""
    monkeypatch.setattr(human_speech, "LIBRIVOX", tmp_path / "missing")
    with pytest.raises(human_speech.MissingSpeech, match="apt-get install "
                       "pocketsphinx-testdata"):
        server_latency.load_speech()
    with pytest.raises(human_speech.MissingSpeech):
        engine_compare.vad_timeline()


def test_setup_installs_the_librivox_data() -> None:
    """scripts/bootstrap.sh installs the human speech with the test packages."""
    script = (ROOT / "scripts" / "bootstrap.sh").read_text()
    test_apt = re.search(r"TEST_APT=\((.*?)\)\n", script, re.S)
    assert test_apt is not None and "pocketsphinx-testdata" in test_apt.group(1).split()
