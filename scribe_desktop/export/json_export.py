"""JSON export in a stable, versioned schema (README "JSON export schema"). Pure.

Schema rules: every key is always present (null when unknown), times are seconds in keys ending
`_s`, timestamps are ISO 8601 with a UTC offset. A change that removes or renames a key, or
changes a value's meaning, increments SCHEMA_VERSION; new keys may appear within a version.
`from_json` reads what `to_json` writes (and ignores unknown keys).

Layout: indented two spaces, one word object per line. `iter_json` writes the text piece by
piece (a segment at a time) with the C string encoder of `json` and float reprs (what
`json.dumps` writes for them), so a 10-hour session streams to a file without the
pure-Python indenting encoder or the whole text in memory; it reads back as `to_json_data`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from json.encoder import encode_basestring
from math import isfinite
from typing import Any

from ..protocol.messages import Word, WordType
from .model import (
    ExportSegment,
    ExportSession,
    SessionMeta,
    SessionSource,
    SessionStatus,
    TextForm,
)
from .tokens import run_timing

SCHEMA = "scribe-desktop/transcript"
SCHEMA_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _enum_value(value: object) -> Any:
    return getattr(value, "value", value)


def _s(value: float | None) -> float | None:
    """Seconds rounded to the millisecond (float noise such as 14.649999999999991 out)."""
    # NaN/inf are not JSON: unknown
    return round(value, 3) if value is not None and math.isfinite(value) else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def word_to_json(w: Word) -> dict[str, Any]:
    return {"text": w.text, "start_s": _s(w.start_s), "end_s": _s(w.end_s),
            "type": _enum_value(w.type), "speaker_id": w.speaker_id,
            "logprob": _finite(w.logprob)}


def _span(segment: ExportSegment) -> tuple[float | None, float | None]:
    timed = [w for w in segment.timed_words if w.start_s is not None and w.end_s is not None]
    start = segment.start_s if segment.start_s is not None else (
        timed[0].start_s if timed else None)
    end = segment.end_s if segment.end_s is not None else (timed[-1].end_s if timed else None)
    return start, end


def _segment_head(session: ExportSession, n: int, seg: ExportSegment) -> dict[str, Any]:
    """A segment's keys before "words"."""
    start, end = _span(seg)
    raw = seg.raw if seg.raw is not None else seg.text
    text = seg.text.strip(" ") if session.text_form is TextForm.SHAPED else seg.text.strip()
    return {"index": n, "text": text, "raw_text": raw.strip(), "start_s": _s(start),
            "end_s": _s(end), "language_code": seg.language_code}


def _head(session: ExportSession) -> dict[str, Any]:
    """The document's keys before "segments"."""
    meta = session.meta
    timing = run_timing(session.segments)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "session": {
            "id": session.id,
            "source": _enum_value(meta.source),
            "status": _enum_value(session.status),
            "backend": meta.backend,
            "model_id": meta.model_id,
            "requested_language_code": meta.language_code,
            "file": meta.file,
            "started_at": _time(meta.started_at),
            "ended_at": _time(session.ended_at),
            "duration_s": session.duration_s,
        },
        "language_code": session.language_code,
        "timing": timing.label if timing is not None else "none",
        "text_form": session.text_form.value,
        "text": session.text,
    }


def to_json_data(session: ExportSession) -> dict[str, Any]:
    """The document as Python data (what `json.loads(to_json(session))` gives)."""
    segments = [{**_segment_head(session, n, seg),
                 "words": [word_to_json(w) for w in seg.words]}
                for n, seg in enumerate(session.segments)]
    return {**_head(session), "segments": segments}


def _value(value: object) -> str:
    """One JSON value as `json.dumps` writes it (non-finite numbers: null)."""
    if value is None:
        return "null"
    if isinstance(value, str):  # StrEnum values too
        return encode_basestring(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if math.isfinite(value) else "null"
    return json.dumps(value, ensure_ascii=False)


def _seconds(value: float | None) -> str:
    """`_s(value)` as JSON text. "%.3f" rounds as round(value, 3) does (both correctly
    rounded) at half the cost; the trailing zeros go, as in the float's repr."""
    if value is None or not isfinite(value):
        return "null"
    text = ("%.3f" % value).rstrip("0")  # noqa: UP031 (the fastest float formatting)
    return text + "0" if text.endswith(".") else text


def _word_line(w: Word) -> str:
    # Runs once per word of the session (twice per word with spacing items).
    start_text, end_text = _seconds(w.start_s), _seconds(w.end_s)
    speaker = "null" if w.speaker_id is None else _value(w.speaker_id)
    logprob = "null" if w.logprob is None else _value(w.logprob)
    return (f'{{"text": {encode_basestring(w.text)}, "start_s": {start_text}, '
            f'"end_s": {end_text}, "type": {encode_basestring(w.type)}, '
            f'"speaker_id": {speaker}, "logprob": {logprob}}}')


def _members(data: dict[str, Any], indent: str) -> str:
    """`data`'s keys and values as lines of an object at `indent` (no braces)."""
    return ",\n".join(
        f"{indent}{encode_basestring(key)}: "
        + (json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
           if isinstance(value, dict | list) else _value(value))
        for key, value in data.items())


def iter_json(session: ExportSession) -> Iterator[str]:
    """The session as JSON text, piece by piece (joined: `to_json`)."""
    yield "{\n" + _members(_head(session), "  ") + ',\n  "segments": ['
    pad = "\n        "
    for n, seg in enumerate(session.segments):
        words = ("[" + pad + ("," + pad).join(map(_word_line, seg.words)) + "\n      ]"
                 if seg.words else "[]")
        yield (("," if n else "") + "\n    {\n" + _members(_segment_head(session, n, seg), "      ")
               + ',\n      "words": ' + words + "\n    }")
    yield ("\n  ]" if session.segments else "]") + "\n}\n"


def to_json(session: ExportSession) -> str:
    """The session as JSON text (UTF-8, not ASCII-escaped), ending with a newline."""
    return "".join(iter_json(session))


def _enum(cls: type[SessionSource] | type[SessionStatus], value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        return value  # a newer writer's value: keep it as a string


_WORD_TYPES: dict[object, WordType] = {t.value: t for t in WordType}


def word_from_json(data: dict[str, Any]) -> Word:
    # Runs once per stored word when a session loads: a dict lookup, not WordType(...) in a
    # try, halves its cost.
    type_ = data.get("type") or "word"
    return Word(text=data["text"], start_s=data.get("start_s"), end_s=data.get("end_s"),
                type=_WORD_TYPES.get(type_, type_),  # a newer type: kept as sent (rule B1)
                speaker_id=data.get("speaker_id"), logprob=data.get("logprob"))


def from_json(text: str) -> ExportSession:
    """An `ExportSession` from `to_json` output; ValueError if it is not that schema."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError("not a scribe-desktop transcript JSON file")
    if int(data.get("schema_version", 0)) > SCHEMA_VERSION:
        raise ValueError(f"schema version {data['schema_version']} is newer than this app")
    s = data["session"]

    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(s[key]) if s.get(key) else None

    meta = SessionMeta(source=_enum(SessionSource, s.get("source") or "dictation"),
                       backend=s.get("backend"), model_id=s.get("model_id"),
                       language_code=s.get("requested_language_code"), file=s.get("file"),
                       started_at=when("started_at"))
    form = TextForm.SHAPED if data.get("text_form") == TextForm.SHAPED else TextForm.RAW
    shaped = form is TextForm.SHAPED
    segments = tuple(
        ExportSegment(text=seg["text"],
                      words=tuple(word_from_json(w) for w in seg.get("words") or ()),
                      language_code=seg.get("language_code"), start_s=seg.get("start_s"),
                      end_s=seg.get("end_s"), shaped=seg["text"] if shaped else None,
                      raw=seg.get("raw_text") if shaped else None)
        for seg in data["segments"])
    status = s.get("status")
    return ExportSession(segments=segments, meta=meta, id=s.get("id"), text_form=form,
                         status=_enum(SessionStatus, status) if status else None,
                         ended_at=when("ended_at"), duration_s=s.get("duration_s"))
