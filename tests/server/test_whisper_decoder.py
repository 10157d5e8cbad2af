"""WhisperDecoder on the real tiny.en model: what reaches faster-whisper, the retry of a
prompted decode that only repeats itself, and cancelled decodes. faster-whisper's
`transcribe` is wrapped to record each call (and, in one test, to stand in for the model's
prompted loop, which tiny.en makes only on some recordings); every other call decodes for
real."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from scribe_desktop.commands.server import choose_engine, load_engine_choice
from scribe_desktop.server.engines.whisper_decoder import DecodeRequest, WhisperDecoder
from scribe_desktop.server.engines.whisper_engine import WhisperEngine
from tests.human_speech import librivox
from tests.server.test_engine_choice import parse
from tests.speech import wer
from tests.whisper_model import tiny_en_dir


def record_calls(monkeypatch: pytest.MonkeyPatch, decoder: WhisperDecoder,
                 answer: Callable[[dict[str, Any]], list[Any] | None] | None = None
                 ) -> list[dict[str, Any]]:
    """Wrap the decoder's faster-whisper model for one test: every transcribe call's options
    are recorded; `answer` may return the segments of a call itself (None: decode for real)."""
    model = decoder._model
    real = model.transcribe
    calls: list[dict[str, Any]] = []

    def transcribe(audio: Any, **options: Any) -> tuple[Iterator[Any], Any]:
        calls.append(options)
        segments, info = real(audio, **options)
        made = answer(options) if answer else None
        return (iter(made) if made is not None else segments), info

    monkeypatch.setattr(model, "transcribe", transcribe)
    return calls


def speech_request(*, final: bool, prompt: str | None = None) -> DecodeRequest:
    return DecodeRequest(librivox()[0].samples.tobytes(), prompt=prompt, word_timestamps=final,
                         final=final)


@pytest.fixture(scope="module")
def beam3() -> WhisperDecoder:
    return WhisperDecoder(tiny_en_dir(), cpu_threads=1, beam_size=3)


def test_finals_use_the_beam_size_and_partials_decode_greedily(monkeypatch: pytest.MonkeyPatch,
        beam3: WhisperDecoder) -> None:
    """--beam-size reaches the final decodes; partials are always greedy."""
    calls = record_calls(monkeypatch, beam3)
    final = beam3.decode(speech_request(final=True))
    partial = beam3.decode(speech_request(final=False))
    assert [c["beam_size"] for c in calls] == [3, 1]
    utterance = librivox()[0]
    assert wer(utterance.text, final.text) <= 0.15 and wer(utterance.text, partial.text) <= 0.3


def test_the_beam_size_flag_reaches_the_loaded_decoder() -> None:
    """`server --beam-size 3` (in-process engine) loads a decoder whose finals use 3 beams."""
    choice = choose_engine(parse("--engine", "whisper", "--model-path", tiny_en_dir(),
                                 "--engine-workers", "0", "--beam-size", "3"), None)
    engine = load_engine_choice(choice)
    try:
        assert isinstance(engine, WhisperEngine)
        decoder = engine._decoder
        assert isinstance(decoder, WhisperDecoder) and decoder.beam_size == 3
    finally:
        engine.close()


def test_a_prompted_decode_that_only_repeats_is_decoded_again_unprompted(
        monkeypatch: pytest.MonkeyPatch, beam3: WhisperDecoder) -> None:
    """A prompted decode whose text is one phrase said twice (what tiny.en made of a 1 s
    "ten of clubs" after a prompt) is decoded again without the prompt, and that text is
    the result."""
    def loop_when_prompted(options: dict[str, Any]) -> list[Any] | None:
        if not options["initial_prompt"]:
            return None
        return [types.SimpleNamespace(text=" Ten of clubs. Ten of clubs.", words=None,
                                      compression_ratio=1.2, no_speech_prob=0.01,
                                      avg_logprob=-0.2)]

    calls = record_calls(monkeypatch, beam3, loop_when_prompted)
    result = beam3.decode(speech_request(final=False, prompt="Queen of hearts."))
    assert [c["initial_prompt"] for c in calls] == ["Queen of hearts.", None]
    assert result.loops == 1
    assert "clubs" not in result.text and wer(librivox()[0].text, result.text) <= 0.3


def test_a_phrase_said_twice_by_the_speaker_is_kept(monkeypatch: pytest.MonkeyPatch,
        beam3: WhisperDecoder) -> None:
    """Only a prompted decode is retried: the same words without a prompt are what was said."""
    twice = np.concatenate([librivox()[0].samples] * 2)
    calls = record_calls(monkeypatch, beam3)
    result = beam3.decode(DecodeRequest(twice.tobytes(), final=False))
    assert len(calls) == 1 and result.loops == 0
    assert wer(" ".join([librivox()[0].text] * 2), result.text) <= 0.3


def count_calls(monkeypatch: pytest.MonkeyPatch, model: Any, name: str,
                then: Callable[[], None] | None = None) -> list[int]:
    """Count the calls of the model's method `name` that returned (running `then` after
    each), for one test."""
    real = getattr(model, name)
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append(1)
        if then is not None:
            then()
        return result

    monkeypatch.setattr(model, name, counted)
    return calls


def ticketed(ticket: str) -> DecodeRequest:
    return DecodeRequest(librivox()[0].samples.tobytes(), final=False, ticket=ticket)


def test_a_request_cancelled_before_it_starts_is_not_decoded(
        monkeypatch: pytest.MonkeyPatch, beam3: WhisperDecoder) -> None:
    """A request whose ticket was cancelled before it ran returns empty and cancelled at
    once; other tickets decode as before."""
    encodes = count_calls(monkeypatch, beam3._model, "encode")
    beam3.cancel("early")
    cancelled = beam3.decode(ticketed("early"))
    assert cancelled.cancelled and cancelled.text == "" and encodes == []
    kept = beam3.decode(ticketed("other"))
    assert not kept.cancelled and wer(librivox()[0].text, kept.text) <= 0.3
    assert len(encodes) == 1


def test_a_cancel_during_the_encoder_stops_the_decode_before_the_decoder(
        monkeypatch: pytest.MonkeyPatch, beam3: WhisperDecoder) -> None:
    """A cancel that arrives while the encoder runs stops the decode before text is
    generated; the next request decodes normally."""
    count_calls(monkeypatch, beam3._model, "encode", then=lambda: beam3.cancel("late"))
    generates = count_calls(monkeypatch, beam3._model, "generate_with_fallback")
    result = beam3.decode(ticketed("late"))
    assert result.cancelled and result.text == "" and generates == []
    again = beam3.decode(ticketed("after"))
    assert not again.cancelled and generates == [1]
    assert wer(librivox()[0].text, again.text) <= 0.3
