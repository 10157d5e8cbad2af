"""`scribe-desktop server --engine ... --model-path/--model ...`: what the flags choose, and
the errors for flags that cannot work."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.commands.server import add_parser, choose_engine
from scribe_desktop.server.config import ConfigError
from tests.whisper_model import tiny_en_dir


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return parser.parse_args(["server", *argv])


def test_without_a_model_installed_the_default_is_pocketsphinx(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty model store the server runs pocketsphinx, one worker per CPU."""
    monkeypatch.setenv("SCRIBE_DESKTOP_MODELS_DIR", str(tmp_path / "models"))
    choice = choose_engine(parse(), None)
    assert (choice.name, choice.workers) == ("pocketsphinx", os.cpu_count() or 1)


def test_the_default_is_the_best_installed_whisper_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With tiny.en in the store, the default engine is Whisper with that model."""
    from scribe_desktop.commands.server import store_resolver
    from scribe_desktop.models import ModelStore

    monkeypatch.setenv("SCRIBE_DESKTOP_MODELS_DIR", str(tmp_path / "models"))
    ModelStore().import_model(tiny_en_dir(), "tiny.en")
    choice = choose_engine(parse(), store_resolver)
    assert (choice.name, choice.model_name) == ("whisper", "tiny.en")
    assert choice.model_dir == str(ModelStore().path("tiny.en"))
    with pytest.raises(ConfigError, match=r"not installed|base\.en"):
        choose_engine(parse("--model", "base.en"), store_resolver)
    # `--engine whisper` without a model (transcribe/listen --engine whisper): the same one
    chosen = choose_engine(parse("--engine", "whisper"), store_resolver)
    assert (chosen.name, chosen.model_name) == ("whisper", "tiny.en")


def test_whisper_takes_a_model_directory_or_a_store_name(tmp_path: Path) -> None:
    """--model-path names the directory; --model goes through the model store's resolver."""
    model = tiny_en_dir()
    choice = choose_engine(parse("--engine", "whisper", "--model-path", model), None)
    assert (choice.name, choice.model_dir, choice.model_name) == ("whisper", model, None)
    assert choice.workers == max(1, (os.cpu_count() or 1) // 4)
    assert (choice.lanes, choice.decoders) == (2, 2 * choice.workers)  # a lane for commits
    asked: list[str] = []

    def resolver(name: str) -> str:
        asked.append(name)
        return model

    choice = choose_engine(parse("--engine", "whisper", "--model", "tiny.en"), resolver)
    assert (asked, choice.model_dir, choice.model_name) == (["tiny.en"], model, "tiny.en")
    assert choose_engine(parse("--engine", "whisper", "--model-path", model,
                               "--engine-workers", "0"), None).workers == 0
    one_lane = choose_engine(parse("--engine", "whisper", "--model-path", model,
                                   "--engine-workers", "0", "--decode-lanes", "1"), None)
    assert (one_lane.workers, one_lane.lanes, one_lane.decoders) == (0, 1, 1)
    assert choose_engine(parse("--engine", "whisper", "--model-path", model, "--beam-size",
                               "5"), None).beam_size == 5


@pytest.mark.parametrize(("argv", "message"), [
    (["--engine", "whisper"], "needs --model-path DIR"),
    (["--engine", "whisper", "--model", "tiny.en"], "needs the model store"),
    (["--engine", "whisper", "--model-path", "/nonexistent/model"], "does not exist"),
    (["--engine", "pocketsphinx", "--model-path", "/tmp"], "for --engine whisper"),
    (["--model-path", "/tmp"], "not a CTranslate2 Whisper model"),
    (["--engine", "whisper", "--model-path", "MODEL", "--engine-workers", "-1"],
     "must be 0 or more"),
    (["--engine", "whisper", "--model-path", "MODEL", "--decode-lanes", "0"],
     "must be 1 or more"),
    (["--engine", "pocketsphinx", "--decode-lanes", "2"], "for --engine whisper"),
    (["--engine", "pocketsphinx", "--beam-size", "5"], "for --engine whisper"),
    (["--engine", "whisper", "--model-path", "MODEL", "--beam-size", "0"], "must be 1 or more"),
])
def test_flags_that_cannot_work_are_errors(argv: list[str], message: str) -> None:
    """Each impossible combination is a ConfigError that says what to do."""
    argv = [tiny_en_dir() if a == "MODEL" else a for a in argv]
    with pytest.raises(ConfigError, match=message):
        choose_engine(parse(*argv), None)


def test_a_directory_without_a_model_is_refused(tmp_path: Path) -> None:
    """A directory that is not a CTranslate2 Whisper model says which files are missing."""
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match=r"not a CTranslate2 Whisper model \(missing model.bin"):
        choose_engine(parse("--engine", "whisper", "--model-path", str(tmp_path)), None)


def test_the_server_exits_2_with_the_message() -> None:
    """The real command prints the error and exits 2 before loading anything."""
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "server", "--engine",
                           "whisper"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "needs --model-path DIR" in proc.stderr
