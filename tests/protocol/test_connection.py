"""The sans-I/O client connection applies the receive rules (C1, C3-C5, B2) both ways."""

from __future__ import annotations

import base64
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.protocol import AudioFormat, CommitStrategy, Word, WordType
from scribe_desktop.protocol.codec import encode_server_message
from scribe_desktop.protocol.connection import (
    ClientConnection,
    Commit,
    CommitTimed,
    ConnectionEvent,
    ConnectionState,
    Partial,
    Passed,
    ProtocolViolation,
    ServerFailed,
    Started,
    Undecodable,
    as_message,
)
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    UnknownMessage,
)

FMT = AudioFormat.PCM_16000
WORDS = (Word("Hello", 0.5, 0.9, WordType.WORD), Word(" ", 0.9, 1.0, WordType.SPACING),
         Word("world", 1.0, 1.4, WordType.WORD))
SPEECH = b"\x10\x00" * 8000  # 0.5 s


def opened(strategy: CommitStrategy = CommitStrategy.MANUAL) -> ClientConnection:
    conn = ClientConnection.new(FMT, now=0.0, commit_strategy=strategy)
    conn.receive_frame(encode_server_message(SessionStarted("a" * 32, {})))
    assert isinstance(conn.events_received()[0], Started)
    return conn


def receive(conn: ClientConnection, *messages: ServerMessage) -> list[ConnectionEvent]:
    for message in messages:
        conn.receive_frame(encode_server_message(message))
    return list(conn.events_received())


def test_nothing_may_be_sent_before_session_started() -> None:
    """Audio and commits before session_started are refused (rule C1)."""
    conn = ClientConnection.new(FMT, now=0.0)
    with pytest.raises(ProtocolViolation):
        conn.send_audio(SPEECH, 0.0)
    with pytest.raises(ProtocolViolation):
        conn.commit(0.0)
    assert conn.data_to_send() == []


def test_session_started_opens_and_audio_goes_out_as_json_frames() -> None:
    """After session_started, audio becomes input_audio_chunk frames (<= 250 ms each)."""
    conn = opened()
    assert conn.state is ConnectionState.OPEN
    conn.send_audio(SPEECH, 1.0)
    frames = [json.loads(f) for f in conn.data_to_send()]
    assert [f["message_type"] for f in frames] == ["input_audio_chunk"] * 2
    assert conn.data_to_send() == []


def test_error_frame_fails_the_connection() -> None:
    """An error frame is reported once and ends sending (rule B2)."""
    conn = opened()
    events = receive(conn, ServerError(ErrorType.QUOTA_EXCEEDED, "no"),
                     PartialTranscript("late"))
    assert events == [ServerFailed(ServerError(ErrorType.QUOTA_EXCEEDED, "no"))]
    assert conn.state is ConnectionState.FAILED
    with pytest.raises(ProtocolViolation):
        conn.send_audio(SPEECH, 2.0)


def test_error_before_session_started_fails_too() -> None:
    """An auth error that arrives before session_started fails the connection (C1, C10)."""
    conn = ClientConnection.new(FMT, now=0.0)
    conn.receive_frame('{"message_type":"auth_error","error":"bad key"}')
    (event,) = conn.events_received()
    assert isinstance(event, ServerFailed) and event.error.error_type is ErrorType.AUTH_ERROR


def test_undecodable_frames_are_reported_and_skipped() -> None:
    """A frame that is not a message is skipped, never fatal (rule B1)."""
    conn = opened()
    conn.receive_frame(b"\xff\xfe")
    conn.receive_frame("[1, 2]")
    events = conn.events_received()
    assert all(isinstance(e, Undecodable) for e in events) and len(events) == 2
    assert conn.decode_errors == 2 and conn.state is ConnectionState.OPEN


def test_echo_partial_after_commit_is_dropped() -> None:
    """A partial repeating the text just committed is dropped (rule C3)."""
    conn = opened()
    events = receive(conn, PartialTranscript("Hello world"), CommittedTranscript("Hello world"),
                     PartialTranscript("Hello world"), PartialTranscript("Next"))
    assert [type(e) for e in events] == [Partial, Commit, Partial]
    assert events[-1] == Partial("Next")


def test_timestamps_enrich_the_commit_before_them() -> None:
    """committed_transcript_with_timestamps is the timing of the commit before it (C4)."""
    conn = opened()
    events = receive(conn, CommittedTranscript("Hello world"),
                     CommittedTranscriptWithTimestamps("Hello world", "en", WORDS))
    assert events == [Commit(0, "Hello world", None),
                      CommitTimed(0, "Hello world", WORDS, "en")]


def test_lone_timestamped_commit_is_the_commit_and_its_repeat_is_dropped() -> None:
    """A timestamped commit with no plain one before it is the only delivery (C4)."""
    conn = opened()
    events = receive(conn, CommittedTranscriptWithTimestamps("Solo", "en", WORDS[:1]),
                     CommittedTranscriptWithTimestamps("Solo", "en", WORDS[:1]))
    assert events == [Commit(0, "Solo", None, words=WORDS[:1], language_code="en")]


def test_commits_answer_our_requests_in_order_and_extra_ones_are_the_servers() -> None:
    """Each commit answers our oldest pending request; one with none pending is the
    server's own (rule C5)."""
    conn = opened()
    conn.send_audio(SPEECH, 1.0)
    first = conn.commit(1.0)
    conn.send_audio(SPEECH, 2.0)
    second = conn.commit(2.0)
    assert (first, second) == (1, 2)
    assert conn.pending_requests == (1, 2)
    events = receive(conn, CommittedTranscript("a"), CommittedTranscript("b"),
                     CommittedTranscript("c"))
    assert [(e.answers, e.certain) for e in events if isinstance(e, Commit)] == \
        [(1, True), (2, True), (None, True)]
    assert not conn.pending_requests


def test_attribution_is_uncertain_when_the_server_segments() -> None:
    """With server-side (VAD) commits an answer while ours is pending may be the server's."""
    conn = opened(CommitStrategy.VAD)
    conn.send_audio(SPEECH, 1.0)
    assert conn.commit(1.0) == 1
    (commit,) = receive(conn, CommittedTranscript("maybe"))
    assert isinstance(commit, Commit) and commit.answers == 1 and not commit.certain


def test_commit_without_new_audio_is_skipped() -> None:
    """A commit with nothing new since the last one is skipped, never sent (rule C6)."""
    conn = opened()
    assert conn.commit(0.5) is None
    assert conn.data_to_send() == [] and conn.pending_requests == ()


def test_successor_continues_numbering_and_replays_pending_commits() -> None:
    """A reconnect's connection numbers on and replays what our commits had not covered."""
    conn = opened()
    conn.send_audio(SPEECH, 1.0)
    conn.commit(1.0)
    receive(conn, CommittedTranscript("one"))
    conn.send_audio(SPEECH, 2.0)
    conn.commit(2.0)
    nxt, plan = conn.successor(3.0)
    assert nxt.state is ConnectionState.AWAITING_START
    assert nxt.next_commit_index == 1 and nxt.last_request == 2
    assert [item.commit for item in plan.items] == [True]
    assert plan.previous_text == "one"


def test_other_messages_pass_through() -> None:
    """Messages the connection has no rule for are passed on as decoded (rule B1)."""
    conn = opened()
    unknown = UnknownMessage("warning", {"message_type": "warning", "warning": "x"})
    assert receive(conn, unknown) == [Passed(unknown)]


MESSAGES = st.one_of(
    st.builds(PartialTranscript, st.text(max_size=20)),
    st.builds(CommittedTranscript, st.text(max_size=20)),
    st.builds(CommittedTranscriptWithTimestamps, st.text(max_size=20),
              st.sampled_from([None, "en"]), st.sampled_from([None, WORDS])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(MESSAGES, max_size=30), st.integers(min_value=0, max_value=5))
def test_every_commit_is_counted_once_and_answers_never_exceed_requests(
        messages: list[ServerMessage], requests: int) -> None:
    """Whatever the server sends, commit indices count up by one and each of our requests is
    answered at most once, oldest first."""
    conn = opened()
    for i in range(requests):
        conn.send_audio(SPEECH, float(i))
        conn.commit(float(i))
    events = receive(conn, *messages)
    commits = [e for e in events if isinstance(e, Commit)]
    assert [c.index for c in commits] == list(range(len(commits)))
    answered = [c.answers for c in commits if c.answers is not None]
    assert answered == list(range(1, len(answered) + 1)) and len(answered) <= requests
    timed = [e.index for e in events if isinstance(e, CommitTimed)]
    assert len(timed) == len(set(timed)) and set(timed) <= {c.index for c in commits}
    for event in events:
        assert as_message(event) is not None


def test_final_commit_in_vad_mode_leaves_room_for_the_servers_own_commit() -> None:
    """A final commit with server-side segmentation is padded by the VAD silence + 0.3 s."""
    conn = opened(CommitStrategy.VAD)
    conn.vad_silence_s = 1.0
    conn.send_audio(SPEECH, 1.0)
    conn.commit(1.0, final=True)
    frames = [json.loads(f) for f in conn.data_to_send()]
    pad = sum(len(base64.b64decode(f["audio_base_64"])) for f in frames[2:-1])
    assert FMT.duration_s(pad) == pytest.approx(1.3, abs=0.001)
    assert frames[-1]["commit"] is True


def test_answers_settle_at_once_when_attribution_is_certain() -> None:
    """In manual mode with no server commits an answer is ours beyond doubt."""
    conn = opened()
    conn.send_audio(SPEECH, 1.0)
    conn.commit(1.0)
    assert conn.answers_settled(1.1) == math.inf
    conn.receive_message(CommittedTranscript("ours"), 1.2)
    assert conn.answers_settled(1.2) is None


def test_answers_settle_after_quiet_when_the_server_commits_on_its_own() -> None:
    """With server-side commits in play the answers count only once the server was quiet
    for twice the slowest round trip (an answer in doubt does not time one: it may have
    been the server's own commit, sent before ours arrived)."""
    conn = opened(CommitStrategy.VAD)
    conn.send_audio(SPEECH, 1.0)
    conn.commit(1.0, final=True)
    conn.receive_message(CommittedTranscript("maybe ours"), 1.4)
    wait = conn.answers_settled(1.5)
    assert wait == pytest.approx(1.9)  # 2 x the assumed 1 s round trip, 0.1 s so far
    assert conn.answers_settled(3.5) is None


def test_only_a_certain_answer_times_the_round_trip() -> None:
    """The quiet needed later is twice the round trip of a certain answer."""
    conn = opened()
    conn.send_audio(SPEECH, 1.0)
    conn.commit(1.0)
    conn.receive_message(CommittedTranscript("ours"), 1.4)  # certain: 0.4 s
    assert conn.round_trip_s == pytest.approx(0.4)


def test_a_throttled_commit_is_settled_by_the_servers_own_commit() -> None:
    """commit_throttled for our commit means the server's own commit covered the audio."""
    conn = opened()
    conn.send_audio(SPEECH, 1.0)
    request = conn.commit(1.0)
    conn.receive_message(ServerError(ErrorType.COMMIT_THROTTLED, "only 0.1s"), 1.1)
    assert conn.throttled_request == request and not conn.pending_requests
    _, plan = conn.successor(2.0)
    assert not any(item.commit for item in plan.items)


def test_a_successor_puts_word_times_on_the_streams_clock() -> None:
    """Word times of a reconnected session are moved by where its replay began."""
    conn = opened()
    conn.send_audio(SPEECH + SPEECH, 1.0)  # 1 s
    conn.commit(1.0)
    conn.receive_message(CommittedTranscript("one"), 1.1)  # covers up to 1.0 s (+ no pad)
    conn.send_audio(SPEECH, 2.0)  # 1.0-1.5 s, not covered
    nxt, _ = conn.successor(3.0)
    assert nxt.offset_s == pytest.approx(1.0)
    nxt.receive_message(SessionStarted("b" * 32, {}))
    nxt.events_received()
    word = Word("two", 0.1, 0.3, WordType.WORD)
    nxt.receive_message(CommittedTranscriptWithTimestamps("two", "en", (word,)))
    (commit,) = nxt.events_received()
    assert isinstance(commit, Commit) and commit.words is not None
    assert (commit.words[0].start_s, commit.words[0].end_s) == (1.1, 1.3)
