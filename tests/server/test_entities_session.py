"""Entity messages through the real server app (in process) with a scripted engine."""

from __future__ import annotations

from typing import Any

import numpy as np

from scribe_desktop.server.engines.base import SegmentResult, SessionHints, WordTiming
from tests.server.test_inprocess import FakeEngine, FakeSession, run_app
from tests.server.wire import Conn, connect, query

CHUNK = bytes(12800)  # 0.4 s of silence at 16 kHz (commits need 0.3 s); ignored by the engine


class ScriptedSession(FakeSession):
    """Commits the next scripted text, whatever audio it was fed."""

    def __init__(self, engine: ScriptedEngine) -> None:
        super().__init__(engine)
        self.script = engine.script

    def feed(self, samples: np.ndarray) -> str | None:
        return None

    def commit(self) -> SegmentResult:
        text = self.script.pop(0)
        words = tuple(WordTiming(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(text.split()))
        return SegmentResult(text, words)


class ScriptedEngine(FakeEngine):
    def __init__(self, *texts: str) -> None:
        super().__init__()
        self.script = list(texts)

    def new_session(self, source_rate_hz: int = 16000,
                    hints: SessionHints | None = None) -> ScriptedSession:
        return ScriptedSession(self)


async def commit_and_collect(conn: Conn, last: str) -> list[dict[str, Any]]:
    """Send audio and a commit; every message up to the first `last` message."""
    start = len(conn.received)
    await conn.send_chunk(CHUNK)
    await conn.commit()
    await conn.until(last)
    return conn.received[start:]


async def test_entities_and_redaction_follow_each_commit_in_order() -> None:
    """committed, timestamps, entities, redacted: spans index the committed text."""
    text = "mail john@example.com or call 555-123-4567"
    async with run_app(ScriptedEngine(text)) as server, connect(server, query(
            include_timestamps=True, entity_detection="all", entity_redaction="pii")) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
        messages = await commit_and_collect(conn, "redacted_transcript")
    kinds = [m["message_type"] for m in messages]
    assert kinds == ["committed_transcript", "committed_transcript_with_timestamps",
                     "committed_transcript_entities", "redacted_transcript"]
    entities = messages[2]
    assert entities["text"] == text
    assert entities["entities"] == [
        {"text": "john@example.com", "entity_type": "email_address", "start_char": 5,
         "end_char": 21},
        {"text": "555-123-4567", "entity_type": "contact_number", "start_char": 30,
         "end_char": 42}]
    for e in entities["entities"]:
        assert text[e["start_char"]:e["end_char"]] == e["text"]
    assert messages[3] == {"message_type": "redacted_transcript", "text": text,
                           "redacted_text": "mail {EMAIL_ADDRESS_1} or call {CONTACT_NUMBER_1}"}


async def test_enumeration_is_stable_for_the_session() -> None:
    """The same value keeps its number across segments, written or spoken; new values count
    on."""
    script = ("mail john@example.com", "mail anna@example.org",
              "again john at example dot com")
    async with run_app(ScriptedEngine(*script)) as server, connect(server, query(
            entity_redaction="email_address")) as conn:
        await conn.recv()
        redacted = [(await commit_and_collect(conn, "redacted_transcript"))[-1]["redacted_text"]
                    for _ in script]
    assert redacted == ["mail {EMAIL_ADDRESS_1}", "mail {EMAIL_ADDRESS_2}",
                        "again {EMAIL_ADDRESS_1}"]


async def test_redaction_modes() -> None:
    """redacted and entity_type modes use {REDACTED} and {ENTITY_TYPE} placeholders."""
    for mode, expected in (("redacted", "card {REDACTED} ok"),
                           ("entity_type", "card {PAYMENT_CARD_NUMBER} ok")):
        engine = ScriptedEngine("card 4111111111111111 ok")
        async with run_app(engine) as server, connect(server, query(
                entity_redaction="pci", entity_redaction_mode=mode)) as conn:
            await conn.recv()
            messages = await commit_and_collect(conn, "redacted_transcript")
        assert messages[-1]["redacted_text"] == expected
        assert "committed_transcript_entities" not in [m["message_type"] for m in messages]


async def test_unknown_types_give_empty_entities() -> None:
    """Types this server cannot detect are accepted and give an empty entities list."""
    async with run_app(ScriptedEngine("my name is alice")) as server, connect(server, query(
            entity_detection=["name", "medical"])) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
        messages = await commit_and_collect(conn, "committed_transcript_entities")
    assert messages[-1] == {"message_type": "committed_transcript_entities",
                            "text": "my name is alice", "entities": []}


async def test_no_entity_messages_unless_asked() -> None:
    """A session without entity options gets only the committed transcript."""
    async with run_app(ScriptedEngine("mail john@example.com", "next")) as server, \
            connect(server) as conn:
        await conn.recv()
        first = await commit_and_collect(conn, "committed_transcript")
        second = await commit_and_collect(conn, "committed_transcript")
    assert [m["message_type"] for m in first + second] == ["committed_transcript"] * 2


async def test_transcript_edit_with_redaction_is_an_invalid_request() -> None:
    """entity_redaction with transcript_edit: invalid_request, then close 1008."""
    async with run_app(ScriptedEngine()) as server, connect(server, query(
            entity_redaction="pii", transcript_edit="fix grammar")) as conn:
        closed = await conn.closing()
    assert conn.received[-1]["message_type"] == "invalid_request"
    assert "transcript_edit cannot be combined with entity_redaction" in \
        conn.received[-1]["error"]
    assert closed.code == 1008
