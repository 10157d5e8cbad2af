"""Hostile frames for fuzzing both ends of the wire (tests/faults/test_wire_fuzz.py and
bench/faults.py share them). Seeded, so a failure can be replayed.

Server-bound frames come in two kinds: ones a server must survive without ending the session
(unknown message types, extra fields, empty or odd chunks within the rules: rule B1), and
ones that must end it with a specific error (malformed JSON, wrong types, binary frames,
audio that breaks the format: rules S4-S7). Client-bound frames are anything a broken or
malicious server could send after `session_started`: random text, random JSON, messages of
the right type with fields of the wrong type, unknown types, binary frames, large frames.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SERVER_MESSAGE_TYPES = ("partial_transcript", "committed_transcript",
                        "committed_transcript_with_timestamps", "session_started",
                        "committed_transcript_entities", "redacted_transcript")
FIELDS = ("text", "words", "language_code", "config", "session_id", "start", "end", "type",
          "error", "entities", "audio_base_64", "commit", "sample_rate", "previous_text")
LARGE_BYTES = 256 * 1024  # under the clients' 1 MiB frame limit (websockets' default)


def _value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, nested at most three deep."""
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**63, 1e308, -1e-308, rng.uniform(-1e6, 1e6)])
    if kind == 3:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(40)))
    if kind == 4:
        return "".join(chr(rng.randrange(0x20, 0xD7FF)) for _ in range(rng.randrange(20)))
    if kind == 5:
        return rng.choice(["", "NaN", "\x00", "𝄞" * 5, "\u202e"])
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if kind == 7:
        return {rng.choice(FIELDS): _value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return {"message_type": rng.choice(SERVER_MESSAGE_TYPES), **{
        rng.choice(FIELDS): _value(rng, depth + 1) for _ in range(rng.randrange(4))}}


def client_bound(seed: int, count: int) -> Iterator[str | bytes]:
    """`count` frames a hostile server could send after session_started (no error frames:
    those end a session by design)."""
    rng = random.Random(seed)
    for _ in range(count):
        kind = rng.randrange(8)
        if kind == 0:  # random text
            yield "".join(chr(rng.randrange(1, 0xD7FF)) for _ in range(rng.randrange(200)))
        elif kind == 1:  # random JSON
            yield json.dumps(_value(rng))
        elif kind in (2, 3):  # the right message types, anything in their fields
            yield json.dumps({"message_type": rng.choice(SERVER_MESSAGE_TYPES),
                              **{rng.choice(FIELDS): _value(rng)
                                 for _ in range(rng.randrange(5))}})
        elif kind == 4:  # an unknown message type with a payload
            yield json.dumps({"message_type": f"x_{rng.randrange(10**6)}",
                              "payload": _value(rng)})
        elif kind == 5:  # binary (the protocol has none)
            yield rng.randbytes(rng.randrange(1, 512))
        elif kind == 6:  # truncated or doubled JSON
            text = json.dumps({"message_type": "partial_transcript", "text": "hello"})
            yield text[:rng.randrange(len(text))] if rng.random() < 0.5 else text * 2
        else:  # large
            yield json.dumps({"message_type": "partial_transcript",
                              "text": "a" * rng.randrange(LARGE_BYTES)})


@dataclass(frozen=True)
class ServerFrame:
    """A frame for the server and what it must do: `ends` None: keep the session; else
    the `message_type` of the error it must answer with before closing."""

    data: str | bytes
    ends: str | None


def _chunk(rng: random.Random, **fields: Any) -> dict[str, Any]:
    pcm = bytes(2 * rng.randrange(0, 800))  # up to 50 ms of silence
    return {"message_type": "input_audio_chunk",
            "audio_base_64": base64.b64encode(pcm).decode(), "commit": False,
            "sample_rate": 16000, **fields}


def tolerated(rng: random.Random) -> ServerFrame:
    """A frame the server must take without ending the session."""
    kind = rng.randrange(4)
    if kind == 0:
        return ServerFrame(json.dumps({"message_type": f"x_{rng.randrange(10**6)}",
                                       "payload": _value(rng)}), None)
    if kind == 1:  # extra fields on a good chunk
        return ServerFrame(json.dumps(_chunk(rng, **{f"x_{rng.randrange(99)}": _value(rng)})),
                           None)
    if kind == 2:  # no sample_rate (optional)
        chunk = _chunk(rng)
        del chunk["sample_rate"]
        return ServerFrame(json.dumps(chunk), None)
    return ServerFrame(json.dumps(_chunk(rng)), None)  # plain


def fatal(rng: random.Random) -> ServerFrame:
    """A frame that must end the session with the error it names."""
    kind = rng.randrange(7)
    if kind == 0:
        text = json.dumps(_chunk(rng))
        return ServerFrame(text[:rng.randrange(1, len(text))], "input_error")
    if kind == 1:
        return ServerFrame(rng.randbytes(rng.randrange(1, 256)), "input_error")
    if kind == 2:
        return ServerFrame(json.dumps(_chunk(rng, audio_base_64=_value(rng) or 7)),
                           "input_error")
    if kind == 3:  # odd byte count: not whole 16-bit samples
        odd = base64.b64encode(bytes(2 * rng.randrange(1, 100) + 1)).decode()
        return ServerFrame(json.dumps(_chunk(rng, audio_base_64=odd)), "input_error")
    if kind == 4:
        return ServerFrame(json.dumps(_chunk(rng, sample_rate=rng.choice([8000, 44100, -1]))),
                           "input_error")
    if kind == 5:  # previous_text after the first chunk (rule C8)
        return ServerFrame(json.dumps(_chunk(rng, previous_text="late")), "input_error")
    big = base64.b64encode(bytes(2 * 16000 * 3)).decode()  # 3 s in one chunk
    return ServerFrame(json.dumps(_chunk(rng, audio_base_64=big)), "chunk_size_exceeded")


def server_bound(seed: int, count: int, per_session: int = 50) -> Iterator[list[ServerFrame]]:
    """Sessions' worth of frames, `count` in all: each session a good first chunk, then up
    to `per_session` tolerated frames, then (mostly) one fatal frame."""
    rng = random.Random(seed)
    sent = 0
    while sent < count:
        frames = [ServerFrame(json.dumps(_chunk(rng)), None)]
        frames += [tolerated(rng) for _ in range(rng.randrange(per_session))]
        if rng.random() < 0.9:
            frames.append(fatal(rng))
        frames = frames[:count - sent]
        sent += len(frames)
        yield frames
