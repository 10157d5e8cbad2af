"""JSON export in a stable, versioned schema (README "JSON export schema"). Pure.

Schema rules: every key is always present (null when unknown), times are seconds in keys ending
`_s`, timestamps are ISO 8601 with a UTC offset. A change that removes or renames a key, or
changes a value's meaning, increments SCHEMA_VERSION; new keys may appear within a version.
`from_json` reads what `to_json` writes (and ignores unknown keys).
"""

from __future__ import annotations

import contextlib
import json
import math
from datetime import datetime
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
from .tokens import tokenize

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


def word_to_json(w: Word) -> dict[str, Any]:
    return {"text": w.text, "start_s": _s(w.start_s), "end_s": _s(w.end_s),
            "type": _enum_value(w.type), "speaker_id": w.speaker_id, "logprob": w.logprob}


def _span(segment: ExportSegment) -> tuple[float | None, float | None]:
    timed = [w for w in segment.timed_words if w.start_s is not None and w.end_s is not None]
    start = segment.start_s if segment.start_s is not None else (
        timed[0].start_s if timed else None)
    end = segment.end_s if segment.end_s is not None else (timed[-1].end_s if timed else None)
    return start, end


def to_json_data(session: ExportSession) -> dict[str, Any]:
    meta = session.meta
    run = tokenize(list(session.segments))
    segments = []
    for n, seg in enumerate(session.segments):
        start, end = _span(seg)
        raw = seg.raw if seg.raw is not None else seg.text
        text = seg.text.strip(" ") if session.text_form is TextForm.SHAPED else seg.text.strip()
        segments.append({"index": n, "text": text, "raw_text": raw.strip(),
                         "start_s": _s(start),
                         "end_s": _s(end), "language_code": seg.language_code,
                         "words": [word_to_json(w) for w in seg.words]})
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
        "timing": run.timing.label if run.tokens else "none",
        "text_form": session.text_form.value,
        "text": session.text,
        "segments": segments,
    }


def to_json(session: ExportSession, *, indent: int | None = 2) -> str:
    """The session as JSON text (UTF-8, not ASCII-escaped), ending with a newline."""
    return json.dumps(to_json_data(session), indent=indent, ensure_ascii=False) + "\n"


def _enum(cls: type[SessionSource] | type[SessionStatus], value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        return value  # a newer writer's value: keep it as a string


def word_from_json(data: dict[str, Any]) -> Word:
    type_ = data.get("type") or "word"
    with contextlib.suppress(ValueError):  # a newer type: kept as a string (rule B1)
        type_ = WordType(type_)
    return Word(text=data["text"], start_s=data.get("start_s"), end_s=data.get("end_s"),
                type=type_, speaker_id=data.get("speaker_id"), logprob=data.get("logprob"))


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
