"""Partials thin out before finals slow down: pipelines of several sessions sharing one
engine's decoders through a `DecodeGate`."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from scribe_desktop.protocol.messages import CommittedTranscript, PartialTranscript
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from scribe_desktop.server.decode_gate import DecodeGate
from scribe_desktop.server.engines.base import RedecodingSession, SegmentResult
from scribe_desktop.server.pipeline import AudioPipeline

WAIT_S = 10.0


class HeldDecoder:
    """A re-decoding engine session whose decodes can be held in flight by the test."""

    def __init__(self) -> None:
        self.partial_calls = 0
        self.commit_calls = 0
        self.hold_partial = threading.Event()
        self.hold_commit = threading.Event()
        self.in_partial = threading.Event()
        self.in_commit = threading.Event()
        self.hold_partial.set()
        self.hold_commit.set()

    def feed(self, samples: np.ndarray) -> None:
        return None

    def decode_partial(self) -> str | None:
        self.partial_calls += 1
        self.in_partial.set()
        assert self.hold_partial.wait(WAIT_S)
        return "so far"

    def commit(self) -> SegmentResult:
        self.commit_calls += 1
        self.in_commit.set()
        assert self.hold_commit.wait(WAIT_S)
        return SegmentResult("all of it")

    def set_previous_text(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def pipeline(engine: HeldDecoder, gate: DecodeGate) -> AudioPipeline:
    assert isinstance(engine, RedecodingSession)
    options = SessionOptions(commit_strategy=CommitStrategy.MANUAL)
    p = AudioPipeline(options, engine, auto_commit_s=90.0, language="en", gate=gate)
    p.feed(bytes(32000))  # a second of audio: something to decode
    return p


@pytest.fixture
def pool():
    with ThreadPoolExecutor(2) as executor:
        yield executor


def test_partial_is_skipped_while_a_final_holds_the_only_decoder(pool) -> None:
    """With one decoder busy on a commit, another session's partial is skipped, not queued."""
    gate = DecodeGate(1)
    a_engine, b_engine = HeldDecoder(), HeldDecoder()
    a, b = pipeline(a_engine, gate), pipeline(b_engine, gate)
    a_engine.hold_commit.clear()
    committing = pool.submit(a.commit)
    assert a_engine.in_commit.wait(WAIT_S)
    assert b.decode_partial() is None
    assert b_engine.partial_calls == 0 and gate.stats.partials_skipped == 1
    a_engine.hold_commit.set()
    assert isinstance(committing.result(WAIT_S)[0], CommittedTranscript)
    assert b.decode_partial() == PartialTranscript("so far")
    assert gate.busy == 0


def test_final_never_waits_for_partials_in_flight(pool) -> None:
    """A commit goes to the engine while another session's partial decode holds the gate."""
    gate = DecodeGate(1)
    a_engine, b_engine = HeldDecoder(), HeldDecoder()
    a, b = pipeline(a_engine, gate), pipeline(b_engine, gate)
    a_engine.hold_partial.clear()
    partial = pool.submit(a.decode_partial)
    assert a_engine.in_partial.wait(WAIT_S)
    assert b.commit()[0] == CommittedTranscript("all of it")  # not held back by the gate
    assert b.decode_partial() is None  # but b's own partial is: a's holds the decoder
    a_engine.hold_partial.set()
    assert partial.result(WAIT_S) == PartialTranscript("so far")
    assert (gate.stats.finals, gate.stats.partials, gate.stats.partials_skipped) == (1, 1, 1)


def test_one_of_three_decoders_is_kept_for_finals() -> None:
    """With three decoders, a third session's partial is skipped while two run, and a commit
    still finds the kept decoder free."""
    gate = DecodeGate(3)
    engines = [HeldDecoder() for _ in range(3)]
    a, b, c = (pipeline(e, gate) for e in engines)
    with ThreadPoolExecutor(3) as pool:
        for engine in engines:
            engine.hold_partial.clear()
        running = [pool.submit(a.decode_partial), pool.submit(b.decode_partial)]
        assert engines[0].in_partial.wait(WAIT_S) and engines[1].in_partial.wait(WAIT_S)
        assert c.decode_partial() is None
        assert engines[2].partial_calls == 0
        engines[2].hold_commit.clear()
        committing = pool.submit(c.commit)
        assert engines[2].in_commit.wait(WAIT_S)
        assert gate.busy == 3  # the final holds the kept decoder beside the two partials
        engines[2].hold_commit.set()
        for engine in engines:
            engine.hold_partial.set()
        assert committing.result(WAIT_S)[0] == CommittedTranscript("all of it")
        assert [r.result(WAIT_S) for r in running] == [PartialTranscript("so far")] * 2
    assert (gate.stats.partials, gate.stats.partials_skipped, gate.stats.finals) == (2, 1, 1)


def test_partials_run_side_by_side_while_decoders_are_free(pool) -> None:
    """With two decoders, a second session's partial runs beside the first one's."""
    gate = DecodeGate(2)
    a_engine, b_engine = HeldDecoder(), HeldDecoder()
    a, b = pipeline(a_engine, gate), pipeline(b_engine, gate)
    a_engine.hold_partial.clear()
    first = pool.submit(a.decode_partial)
    assert a_engine.in_partial.wait(WAIT_S)
    assert b.decode_partial() == PartialTranscript("so far")
    a_engine.hold_partial.set()
    assert first.result(WAIT_S) == PartialTranscript("so far")
    assert gate.stats.partials_skipped == 0


def test_gate_needs_a_decoder() -> None:
    """A gate without slots is refused at once."""
    with pytest.raises(ValueError, match="at least one slot"):
        DecodeGate(0)
