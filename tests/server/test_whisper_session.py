"""WhisperSession over a recording fake decoder and real speech: what it decodes, when, and how
the pieces come back together (no Whisper model needed; the Silero VAD is real)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pytest

from scribe_desktop.server.engines.base import EngineInfo, SessionHints
from scribe_desktop.server.engines.whisper_decoder import Decoded, DecodeRequest
from scribe_desktop.server.engines.whisper_engine import WhisperEngine, WhisperSession
from scribe_desktop.server.engines.whisper_text import DecodedWord
from tests.human_speech import librivox

RATE = 16000


@dataclass
class RecordingDecoder:
    """Answers one word per half second of audio; records every request; can hold a decode
    until released, and counts decodes running at once."""

    info: EngineInfo = field(default_factory=lambda: EngineInfo("whisper", "fake", ("en",),
                                                                redecodes=True))
    requests: list[DecodeRequest] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # tickets, in order
    hold: threading.Event | None = None
    hold_finals: bool = False  # hold finals too (else `hold` holds partials only)
    holding: threading.Event = field(default_factory=threading.Event)
    running: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def decode(self, request: object) -> Decoded:
        assert isinstance(request, DecodeRequest)
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.requests.append(request)
            n = len(self.requests)
        try:
            if self.hold is not None and (self.hold_finals or not request.final):
                self.holding.set()
                assert self.hold.wait(10)
            seconds = len(request.audio) / 2 / RATE
            words = tuple(DecodedWord(f" w{n}.{i}", i * 0.5, i * 0.5 + 0.4, 0.9)
                          for i in range(int(seconds / 0.5)))
            return Decoded("".join(w.text for w in words).strip(), words)
        finally:
            with self.lock:
                self.running -= 1

    def cancel(self, ticket: str) -> None:
        self.cancelled.append(ticket)

    def close(self) -> None:
        pass


def speech(seconds_of_silence_after: float = 0.5) -> np.ndarray:
    utterance = librivox()[0].samples
    return np.concatenate([utterance, np.zeros(int(seconds_of_silence_after * RATE),
                                               dtype=np.int16)])


def feed(session: object, audio: np.ndarray, chunk: int = 1600) -> None:
    for i in range(0, audio.size, chunk):
        session.feed(audio[i:i + chunk])  # type: ignore[attr-defined]


def test_silence_and_noise_are_never_decoded() -> None:
    """Commits of silence or white noise return no text without asking the model at all."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    feed(session, np.zeros(3 * RATE, dtype=np.int16))
    assert session.decode_partial() is None
    assert session.commit().text == ""
    noise = np.random.default_rng(3).normal(0, 3000, 3 * RATE).astype(np.int16)
    feed(session, noise)
    assert session.decode_partial() is None
    assert session.commit().text == ""
    assert decoder.requests == []


def test_only_speech_is_decoded_and_times_are_of_the_segment() -> None:
    """Leading silence is not sent to the model, and word times still count it."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    lead = np.zeros(5 * RATE, dtype=np.int16)
    feed(session, np.concatenate([lead, speech()]))
    result = session.commit()
    (request,) = decoder.requests
    assert request.word_timestamps
    sent_s = len(request.audio) / 2 / RATE
    assert sent_s < librivox()[0].seconds + 1.5  # the 5 s of silence were not sent
    assert result.words and result.words[0].start_s > 4.0
    assert result.text == "".join((w.prefix if i else "") + w.word
                                  for i, w in enumerate(result.words))


def partial_held(decoder: RecordingDecoder
                 ) -> tuple[WhisperSession, threading.Thread, list[str | None]]:
    """A session fed speech whose partial decode is running, held in `decoder`, on a thread;
    the list gets the partial's return value once the decode is released."""
    session = WhisperEngine(decoder).new_session()
    feed(session, speech())
    partial: list[str | None] = []
    worker = threading.Thread(target=lambda: partial.append(session.decode_partial()))
    worker.start()
    assert decoder.holding.wait(10)
    return session, worker, partial


def test_a_commit_supersedes_the_partial_decode_in_flight() -> None:
    """A commit during a partial decode cancels it and decodes at once; the stale partial is
    dropped."""
    decoder = RecordingDecoder(hold=threading.Event())
    session, worker, partial = partial_held(decoder)
    result = session.commit()  # returns while the partial decode is still held
    assert result.text and [r.word_timestamps for r in decoder.requests] == [False, True]
    assert decoder.most_at_once == 2
    held = decoder.requests[0].ticket
    assert held and decoder.cancelled == [held]
    assert decoder.requests[1].ticket is None  # a final is never cancelled
    decoder.hold.set()  # type: ignore[union-attr]
    worker.join(10)
    assert partial == [None]  # its segment was committed: never shown
    feed(session, speech())
    assert session.decode_partial()  # the next segment's partials flow again
    assert decoder.requests[-1].ticket not in (None, held)
    session.commit()
    assert decoder.cancelled == [held]  # nothing was in flight this time


def test_closing_a_session_cancels_its_partial_decode_in_flight() -> None:
    """A session closed (its client gone) during a partial decode cancels that decode."""
    decoder = RecordingDecoder(hold=threading.Event())
    session, worker, partial = partial_held(decoder)
    session.close()
    assert decoder.cancelled == [decoder.requests[0].ticket]
    decoder.hold.set()  # type: ignore[union-attr]
    worker.join(10)
    assert not worker.is_alive() and len(partial) == 1


def test_a_long_segment_is_decoded_in_windows_under_30_seconds() -> None:
    """A 50 s segment is sealed at pauses: no decode exceeds 30 s and no audio is lost."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    utterances = [u.samples for u in librivox()] * 2
    gap = np.zeros(int(0.4 * RATE), dtype=np.int16)
    audio = np.concatenate([x for u in utterances for x in (u, gap)])
    feed(session, audio)
    result = session.commit()
    lengths = [len(r.audio) / 2 / RATE for r in decoder.requests]
    assert len(lengths) >= 2 and max(lengths) <= 30.0
    assert sum(lengths) >= 0.9 * audio.size / RATE  # every piece of speech was decoded
    starts = [w.start_s for w in result.words]
    assert starts == sorted(starts) and starts[-1] > 40.0
    # the second window is prompted with what the first one said
    assert decoder.requests[1].prompt and "w1." in decoder.requests[1].prompt


def test_partials_of_a_long_segment_keep_the_sealed_words() -> None:
    """Partials past the seal show the sealed words first; the commit decodes only the rest."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    utterances = [u.samples for u in librivox()] * 2
    audio = np.concatenate(utterances)
    feed(session, audio[:int(30 * RATE)])
    first = session.decode_partial()
    assert first is not None and first.startswith("w1.0 ")  # the sealed head's final words
    feed(session, audio[int(30 * RATE):])
    session.decode_partial()
    before = len(decoder.requests)
    result = session.commit()
    assert len(decoder.requests) == before + 1
    assert result.text.startswith("w1.0 ")


def test_hints_and_previous_text_reach_the_model() -> None:
    """Keyterms, the language and previous_text go into the decode; the committed text then
    becomes the next segment's prompt."""
    decoder = RecordingDecoder()
    engine = WhisperEngine(decoder)
    session = engine.new_session(16000, SessionHints(language="en",
                                                     keyterms=("Dashwood", "Kubernetes")))
    session.set_previous_text("Chapter one.")
    feed(session, speech())
    first = session.commit()
    feed(session, speech())
    session.commit()
    one, two = decoder.requests
    assert (one.prompt, one.hotwords, one.language) == ("Chapter one.", "Dashwood, Kubernetes",
                                                        "en")
    assert two.prompt is not None and two.prompt.endswith(first.text)


def test_no_partial_decode_once_speech_has_ended() -> None:
    """After a decode has heard the speech end, more silence brings no more partial decodes."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    feed(session, speech(seconds_of_silence_after=1.0))
    assert session.decode_partial() is not None
    feed(session, np.zeros(2 * RATE, dtype=np.int16))
    assert session.decode_partial() is None
    assert len(decoder.requests) == 1
    feed(session, speech())  # speech again: decoded again
    assert session.decode_partial() is not None
    assert len(decoder.requests) == 2


VAD = SessionHints(commits_on_silence=True)  # the server commits after a pause


def pause_after_speech(session: WhisperSession) -> None:
    """Speech and its partial decode, then a second of silence (not decoded yet)."""
    feed(session, speech(seconds_of_silence_after=1.0))
    session.decode_partial()
    feed(session, np.zeros(RATE, dtype=np.int16))


def settle(session: WhisperSession) -> None:
    """Speech and its partial decode, then silence: the partials have heard the pause."""
    pause_after_speech(session)
    session.decode_partial()


@pytest.mark.parametrize("hints", [VAD, SessionHints()], ids=["vad", "manual"])
def test_a_vad_commit_takes_the_final_decoded_early_in_the_pause(hints: SessionHints) -> None:
    """When the server commits on silence, the idle partial slot decodes the commit's final
    once the partials have heard the pause; the VAD commit (1.5 s into the silence) returns
    its result without decoding again: the same words and times a decode at the commit
    gives. With manual commits nothing is decoded before the commit."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session(16000, hints)
    session.set_previous_text("Before.")
    lead = np.zeros(2 * RATE, dtype=np.int16)
    feed(session, lead)
    settle(session)
    for _ in range(2):  # more silence: nothing more to decode
        feed(session, np.zeros(RATE // 2, dtype=np.int16))
        assert session.decode_partial() is None
    before = list(decoder.requests)
    result = session.commit()
    if hints.commits_on_silence:
        partial, early = before
        assert not partial.final and early.final and early.prompt == "Before."
        assert decoder.requests == before  # no decode at the commit
    else:
        assert len(before) == 1 and not before[0].final
        assert decoder.requests[-1].final
    expected = WhisperEngine(RecordingDecoder(requests=[before[0]])).new_session()
    expected.set_previous_text("Before.")
    feed(expected, np.concatenate([lead, speech(seconds_of_silence_after=3.0)]))
    assert expected.commit() == result  # what the commit decodes by itself
    assert result.words[0].start_s > 1.5  # in the segment's time: the lead counts


def test_an_early_final_is_dropped_when_the_commit_would_decode_other_audio() -> None:
    """Speech after the early final (or a new prompt) makes it stale: the commit decodes the
    whole segment itself."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session(16000, VAD)
    settle(session)
    early = decoder.requests[-1]
    assert early.final
    feed(session, speech())
    session.commit()
    final = decoder.requests[-1]
    assert final.final and len(final.audio) > len(early.audio)
    settle(session)
    assert decoder.requests[-1].final
    session.set_previous_text("Something else.")
    n = len(decoder.requests)
    session.commit()
    assert len(decoder.requests) == n + 1 and decoder.requests[-1].prompt == "Something else."


def early_final_held(decoder: RecordingDecoder, session: WhisperSession) -> threading.Thread:
    """Speech, its partial, silence, then the early final decoding on a thread, held."""
    pause_after_speech(session)
    decoder.hold, decoder.hold_finals = threading.Event(), True
    decoder.holding.clear()
    worker = threading.Thread(target=session.decode_partial)
    worker.start()
    assert decoder.holding.wait(10)
    assert decoder.requests[-1].final
    return worker


def test_a_commit_waits_for_its_early_final_in_flight() -> None:
    """A commit that arrives while its early final is decoding waits for that decode instead
    of starting the same one again."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session(16000, VAD)
    worker = early_final_held(decoder, session)
    results = []
    committer = threading.Thread(target=lambda: results.append(session.commit()))
    committer.start()
    committer.join(0.5)  # a window in which a commit decoding by itself would ask again
    assert committer.is_alive() and len(decoder.requests) == 2
    decoder.hold.set()  # type: ignore[union-attr]
    committer.join(10)
    worker.join(10)
    assert results and results[0].text.startswith("w2.0 ")
    assert len(decoder.requests) == 2 and decoder.cancelled == []


def test_speech_cancels_an_early_final_in_flight() -> None:
    """The speaker goes on while the early final decodes: it is cancelled, and the commit
    decodes the whole segment."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session(16000, VAD)
    worker = early_final_held(decoder, session)
    early = decoder.requests[-1]
    feed(session, speech()[:RATE])
    assert decoder.cancelled == [early.ticket]
    decoder.hold.set()  # type: ignore[union-attr]
    worker.join(10)
    decoder.hold = None
    session.commit()
    assert decoder.requests[-1].final and len(decoder.requests[-1].audio) > len(early.audio)


def test_words_are_timed_only_when_the_client_gets_them() -> None:
    """Without word timestamps the final decode skips the alignment and returns text only."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session(16000, SessionHints(word_timestamps=False))
    feed(session, speech())
    result = session.commit()
    (request,) = decoder.requests
    assert request.final and not request.word_timestamps
    assert result.words == () and result.text


def test_partials_after_a_pause_decode_only_the_new_speech() -> None:
    """Once a partial decode has heard seconds of speech and the pause after them, its words
    are kept as shown and the next partials decode only the speech after that pause,
    prompted with those words; the commit still decodes the whole segment at once."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    one, two = librivox()[0].samples, librivox()[1].samples
    feed(session, np.concatenate([one, np.zeros(int(0.6 * RATE), dtype=np.int16)]))
    first = session.decode_partial()
    assert first is not None and first.startswith("w1.0 ")
    feed(session, two[:two.size // 2])  # mid-phrase: no pause at the end
    second = session.decode_partial()
    feed(session, two[two.size // 2:])
    third = session.decode_partial()
    assert second is not None and third is not None
    assert second.startswith(first + " w2.") and third.startswith(first + " w3.")
    partial_s = [len(r.audio) / 2 / RATE for r in decoder.requests[1:]]
    assert max(partial_s) < two.size / RATE + 1.0  # not the first phrase again
    assert partial_s[1] > partial_s[0]  # mid-phrase decodes grow from the pause
    assert all(first in (r.prompt or "") for r in decoder.requests[1:])
    result = session.commit()
    final = decoder.requests[-1]
    assert final.final and len(final.audio) / 2 / RATE >= (one.size + two.size) / RATE
    assert result.text.startswith("w4.0 ") and result.words[-1].start_s > one.size / RATE


def test_partials_without_a_pause_decode_the_whole_phrase_again() -> None:
    """A partial decode that ends mid-speech keeps nothing: the next decodes the phrase from
    its start (so LocalAgreement can revise the unconfirmed words)."""
    decoder = RecordingDecoder()
    session = WhisperEngine(decoder).new_session()
    one = librivox()[0].samples
    cut = int(4.5 * RATE)
    feed(session, one[:cut])
    assert session.decode_partial() is not None
    feed(session, one[cut:])
    assert session.decode_partial() is not None
    first, second = (len(r.audio) / 2 / RATE for r in decoder.requests)
    assert second > first + 1.0 and second > one.size / RATE - 0.5
