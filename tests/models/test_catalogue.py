"""The catalogue agrees with faster-whisper's own model table and language list."""

from __future__ import annotations

import ast
import inspect

import pytest

from scribe_desktop.models import CATALOGUE, UnknownModelError, catalogue, whisper_languages

REQUIRED = ("tiny.en", "base.en", "small.en", "distil-small.en", "tiny", "base", "small",
            "large-v3-turbo")


def test_the_required_models_are_listed() -> None:
    """Every model the app offers is in the catalogue, once."""
    names = [spec.name for spec in CATALOGUE]
    assert set(REQUIRED) <= set(names) and len(names) == len(set(names))


def test_repo_ids_are_faster_whispers() -> None:
    """Each model downloads from the repository faster-whisper itself uses for that name."""
    utils = pytest.importorskip("faster_whisper.utils")
    for spec in CATALOGUE:
        assert utils._MODELS[spec.name] == spec.repo_id, spec.name


def test_allow_patterns_are_faster_whispers() -> None:
    """The files fetched are exactly those faster-whisper's download_model fetches."""
    utils = pytest.importorskip("faster_whisper.utils")
    tree = ast.parse(inspect.getsource(utils.download_model))
    [value] = [node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and any(getattr(t, "id", None) == "allow_patterns" for t in node.targets)]
    assert tuple(ast.literal_eval(value)) == catalogue.ALLOW_PATTERNS


def test_languages_come_from_faster_whisper() -> None:
    """Multilingual models list Whisper's languages, English-only ones just English."""
    tokenizer = pytest.importorskip("faster_whisper.tokenizer")
    codes = tuple(tokenizer._LANGUAGE_CODES)
    assert whisper_languages() == codes
    assert catalogue.get("tiny.en").languages == ("en",)
    assert catalogue.get("large-v3-turbo").languages == codes
    small = catalogue.get("small").languages
    assert "yue" not in small and set(small) == set(codes) - {"yue"} and "fr" in small


def test_measurements_are_absent_until_measured() -> None:
    """No speed or accuracy figure is invented: unmeasured fields are None."""
    spec = catalogue.get("tiny.en")
    assert spec.wer_percent is None and spec.speed_x_realtime is None


def test_an_unknown_name_lists_the_known_ones() -> None:
    """A typo gets the list of valid names."""
    with pytest.raises(UnknownModelError) as info:
        catalogue.get("tiny-en")
    assert str(info.value).startswith("unknown model 'tiny-en'; known models: tiny.en, tiny,")
