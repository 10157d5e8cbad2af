"""What an official client must have received from a conforming server (protocol rules S2, S5,
S6, B2, B3), checked on the client's own event stream: a list of (event name, payload)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tests.speech import wer

MAX_WER = 0.35
SESSION_ID = re.compile(r"[0-9a-f]{32}")
# Events a client emits for a server error or a local failure (§12.3, §12.4).
ERROR_EVENTS = frozenset({
    "error", "auth_error", "quota_exceeded", "commit_throttled", "transcriber_error",
    "unaccepted_terms", "unaccepted_terms_error", "rate_limited", "input_error",
    "invalid_request", "queue_overflow", "resource_exhausted", "session_time_limit_exceeded",
    "chunk_size_exceeded", "insufficient_audio_activity",
})

Events = Sequence[tuple[str, Any]]


def _index(names: list[str], name: str, context: str) -> int:
    assert name in names, f"never received {name}; got {names}\n{context}"
    return names.index(name)


def check_transcript_flow(events: Events, spoken: str, audio_seconds: float,
                          context: str = "") -> str:
    """Assert the whole manual-commit flow and return the committed text.

    session_started first (S2); a partial_transcript before the committed_transcript (S5); the
    committed text within MAX_WER of what was spoken; then committed_transcript_with_timestamps
    with the same text, whose words concatenate to it and carry times inside the audio (S5);
    no error events; the socket's close last.
    """
    names = [n for n, _ in events if n != "open"]
    assert names and names[0] == "session_started", f"first event: {names}\n{context}"
    started = next(d for n, d in events if n == "session_started")
    assert SESSION_ID.fullmatch(str(started.get("session_id"))), f"{started!r}\n{context}"

    errors = [(n, d) for n, d in events if n in ERROR_EVENTS]
    assert not errors, f"client reported errors: {errors}\n{context}"

    i_partial = _index(names, "partial_transcript", context)
    i_commit = _index(names, "committed_transcript", context)
    assert i_partial < i_commit, f"no partial before the commit: {names}\n{context}"
    assert names.count("committed_transcript") == 1, f"one commit sent, got {names}\n{context}"

    committed = next(d for n, d in events if n == "committed_transcript")
    text = committed["text"]
    assert isinstance(text, str)
    score = wer(spoken, text)
    assert score <= MAX_WER, f"WER {score:.2f}: said {spoken!r}, got {text!r}\n{context}"

    i_ts = _index(names, "committed_transcript_with_timestamps", context)
    assert i_ts > i_commit, f"with_timestamps must follow committed_transcript: {names}\n{context}"
    stamped = next(d for n, d in events if n == "committed_transcript_with_timestamps")
    assert stamped["text"] == text, f"with_timestamps text != {text!r}: {stamped}\n{context}"
    words = stamped.get("words")
    assert isinstance(words, list) and words, f"no words: {stamped}\n{context}"
    joined = "".join(w["text"] for w in words)
    assert joined == text, f"words concatenate to {joined!r}, not {text!r}\n{context}"
    for w in words:
        start, end = w["start"], w["end"]
        assert 0.0 <= start <= end <= audio_seconds + 0.5, f"word outside audio {w}\n{context}"
        assert w.get("type") in {"word", "spacing", "audio_event"}, f"word type {w}\n{context}"

    assert names[-1] == "close", f"last event is not close: {names}\n{context}"
    return text


def check_rejected(events: Events, error_type: str, context: str = "") -> dict[str, Any]:
    """Assert the in-band rejection path (B2, S6): open, then `error_type` {message_type, error}
    with no session_started, then close. Returns the error payload."""
    names = [n for n, _ in events]
    assert "session_started" not in names, f"session started despite the error: {names}\n{context}"
    assert names and names[0] == "open", f"the upgrade was not accepted (S6): {names}\n{context}"
    i_err = _index(names, error_type, context)
    payload: dict[str, Any] = events[i_err][1]
    assert set(payload) == {"message_type", "error"}, f"error shape (B2): {payload}\n{context}"
    assert payload["message_type"] == error_type and payload["error"], f"{payload}\n{context}"
    assert names[-1] == "close", f"the server did not close after the error: {names}\n{context}"
    return payload
