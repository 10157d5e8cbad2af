"""The connection turns the entity messages (§6.7, §6.8) into events of the commit they follow."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.protocol import AudioFormat, CommitStrategy, Entity, Word, WordType
from scribe_desktop.protocol.codec import encode_server_message
from scribe_desktop.protocol.connection import (
    ClientConnection,
    Commit,
    CommitTimed,
    ConnectionEvent,
    EntitiesFound,
    Passed,
    Redacted,
    Started,
    as_message,
)
from scribe_desktop.protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    RedactedTranscript,
    ServerMessage,
    SessionStarted,
)
from scribe_desktop.protocol.redacted import cut_redacted, redact_words

FMT = AudioFormat.PCM_16000
SPEECH = b"\x10\x00" * 16000  # 1 s
RAW = "call me on five five five one two three four five six seven please"
REDACTED = "call me on {CONTACT_NUMBER_1} please"


def opened(conn: ClientConnection | None = None) -> ClientConnection:
    conn = conn or ClientConnection.new(FMT, now=0.0, commit_strategy=CommitStrategy.VAD)
    conn.receive_frame(encode_server_message(SessionStarted("a" * 32, {})))
    assert isinstance(conn.events_received()[0], Started)
    return conn


def receive(conn: ClientConnection, *messages: ServerMessage,
            now: float | None = None) -> list[ConnectionEvent]:
    for message in messages:
        conn.receive_frame(encode_server_message(message), now)
    return conn.events_received()


def spoken(text: str, start_s: float = 0.0) -> tuple[Word, ...]:
    out: list[Word] = []
    for n, word in enumerate(text.split()):
        if out:
            out.append(Word(" ", start_s + n * 0.3 - 0.1, start_s + n * 0.3, WordType.SPACING))
        out.append(Word(word, start_s + n * 0.3, start_s + n * 0.3 + 0.2))
    return tuple(out)


def test_redaction_and_entities_belong_to_the_commit_before_them() -> None:
    """Entity and redaction messages become events carrying the index of their commit."""
    conn = opened()
    entity = Entity("five five five one two three four five six seven", "contact_number",
                    11, 61)
    events = receive(conn, CommittedTranscript("hello"), CommittedTranscript(RAW),
                     CommittedTranscriptWithTimestamps(RAW, "en", spoken(RAW)),
                     CommittedTranscriptEntities(RAW, (entity,)),
                     RedactedTranscript(RAW, REDACTED))
    assert [type(e) for e in events] == [Commit, Commit, CommitTimed, EntitiesFound, Redacted]
    assert events[3] == EntitiesFound(1, RAW, (entity,))
    assert events[4] == Redacted(1, RAW, REDACTED)
    assert as_message(events[4]) == RedactedTranscript(RAW, REDACTED)


def test_an_empty_commit_gets_its_own_redaction() -> None:
    """The redaction after an empty commit (C5) is that commit's, not the one before."""
    conn = opened()
    events = receive(conn, CommittedTranscript(RAW), RedactedTranscript(RAW, REDACTED),
                     CommittedTranscript(""), RedactedTranscript("", ""))
    assert events[1] == Redacted(0, RAW, REDACTED)
    assert events[3] == Redacted(1, "", "")


def test_a_redaction_before_any_commit_passes_through() -> None:
    """A redaction with no commit before it on this connection belongs to none (B1)."""
    conn = opened()
    message = RedactedTranscript(RAW, REDACTED)
    assert receive(conn, message) == [Passed(message)]


def test_a_replayed_commit_loses_the_repeated_words_from_its_redaction_too() -> None:
    """After a reconnect the words the replay repeated are cut from the redacted text too."""
    conn = opened()
    conn.send_audio(SPEECH * 3, 3.5)  # too recent for the commit to surely cover it
    first = "we agreed"
    receive(conn, CommittedTranscript(first), now=4.0)  # the server's own commit
    nxt, _ = conn.successor(4.5)
    nxt = opened(nxt)
    nxt.send_audio(SPEECH, 5.0)
    replayed = f"agreed {RAW}"
    events = receive(nxt, CommittedTranscript(replayed),
                     RedactedTranscript(replayed, f"agreed {REDACTED}"), now=6.0)
    commit, redacted = events
    assert isinstance(commit, Commit) and commit.text == RAW
    assert redacted == Redacted(commit.index, RAW, REDACTED)


def test_cut_redacted_keeps_a_placeholder_the_cut_reaches_into() -> None:
    """A placeholder whose raw words were only partly repeated stays in the cut text."""
    raw = "five five five one two three four five six seven thanks"
    assert cut_redacted(raw, "{CONTACT_NUMBER_1} thanks", 2) == "{CONTACT_NUMBER_1} thanks"
    assert cut_redacted(raw, "{CONTACT_NUMBER_1} thanks", 10) == "thanks"


def test_redacted_words_carry_the_entity_times_and_never_the_raw_words() -> None:
    """An entity's raw word items become one placeholder item spanning their times."""
    words = spoken(RAW, 1.0)
    out = redact_words(words, REDACTED)
    texts = [w.text for w in out if w.type != WordType.SPACING]
    assert texts == ["call", "me", "on", "{CONTACT_NUMBER_1}", "please"]
    placeholder = next(w for w in out if w.text == "{CONTACT_NUMBER_1}")
    raw_items = [w for w in words if w.type != WordType.SPACING]
    assert placeholder.start_s == raw_items[3].start_s
    assert placeholder.end_s == raw_items[12].end_s
    assert "".join(w.text for w in out) == REDACTED


WORDS_ST = st.lists(st.sampled_from(["call", "five", "one", "me", "at", "dot", "com", "x"]),
                    min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(WORDS_ST, WORDS_ST, st.booleans())
def test_redacted_words_are_exactly_the_redacted_text(raw: list[str], red: list[str],
                                                       spaced: bool) -> None:
    """Whatever the two texts, the word items spell the redacted text and nothing else."""
    redacted = " ".join(red)
    words = spoken(" ".join(raw))
    if not spaced:
        words = tuple(w for w in words if w.type != WordType.SPACING)
    out = redact_words(words, redacted)
    assert " ".join(w.text for w in out if w.type != WordType.SPACING).split() == red
