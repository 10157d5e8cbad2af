"""Benchmark the exporters and the history: a 3-hour session (~30k words) in each format,
the history panel loading 1,000 sessions, and the durable `add_segment` (one fsync each).

    python -m bench.export_bench [--words 30000] [--sessions 1000] [--json]

`main(argv)` returns 0; with --json it prints one JSON object (for bench/run.py).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scribe_desktop.core.transcript import Segment  # noqa: E402
from scribe_desktop.export import (  # noqa: E402  (after the sys.path fix above)
    ExportFormat,
    ExportOptions,
    ExportSegment,
    ExportSession,
    SessionMeta,
    render,
)
from scribe_desktop.protocol.messages import Word, WordType  # noqa: E402

VOCAB = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "seven",
         "wizards", "quietly", "judge", "boxing", "matches", "near", "old", "harbours", "and",
         "people", "talk", "about", "weather"]


def long_session(n_words: int, words_per_segment: int = 25) -> ExportSession:
    """~n_words over ~3 hours (2.8 words/s), committed every ~9 s, with spacing items."""
    segments: list[ExportSegment] = []
    t = 0.0
    n = 0
    while n < n_words:
        words: list[Word] = []
        texts: list[str] = []
        for k in range(min(words_per_segment, n_words - n)):
            w = VOCAB[(n * 7 + k) % len(VOCAB)] + ("." if (n + k) % 12 == 11 else "")
            if k:
                words.append(Word(" ", t, t + 0.06, WordType.SPACING))
                t += 0.06
            words.append(Word(w, t, t + 0.3))
            texts.append(w)
            t += 0.3
        n += len(texts)
        segments.append(ExportSegment(" ".join(texts), tuple(words), "en"))
        t += 1.2  # the pause that ended the utterance
    return ExportSession(segments=tuple(segments), meta=SessionMeta(backend="local"))


def _best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_exports(n_words: int, repeat: int) -> dict[str, Any]:
    session = long_session(n_words)
    last_end = session.segments[-1].words[-1].end_s or 0.0
    out: dict[str, Any] = {"words": n_words, "segments": len(session.segments),
                           "audio_hours": round(last_end / 3600, 2)}
    for fmt, opts in ((ExportFormat.TXT, ExportOptions()),
                      (ExportFormat.TXT, ExportOptions(timestamps=True)),
                      (ExportFormat.SRT, ExportOptions()), (ExportFormat.VTT, ExportOptions()),
                      (ExportFormat.JSON, ExportOptions())):
        key = fmt.value + ("_timestamps" if opts.timestamps else "")
        size = len(render(session, fmt, opts).text.encode())
        out[f"{key}_s"] = round(_best_of(functools.partial(render, session, fmt, opts), repeat),
                                3)
        out[f"{key}_bytes"] = size
    return out


def bench_history(n_sessions: int, segments_per_session: int,
                  directory: str | None = None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from scribe_desktop.history import HistoryStore
    from scribe_desktop.ui.history_panel import HistoryPanel

    app = QApplication.instance() or QApplication([])
    out: dict[str, Any] = {"sessions": n_sessions}
    with tempfile.TemporaryDirectory(dir=directory) as tmp, \
            HistoryStore.open(Path(tmp) / "history.sqlite3") as store:
        latencies = []
        t0 = time.perf_counter()
        for s in range(n_sessions):
            rec = store.begin_session(SessionMeta(backend="local"))
            for k in range(segments_per_session):
                words = VOCAB[(s + k) % 10:(s + k) % 10 + 12]
                t1 = time.perf_counter()
                rec.add_segment(Segment(k, " ".join(words) + f" session {s}."))
                latencies.append(time.perf_counter() - t1)
            rec.finish()
        out["fill_s"] = round(time.perf_counter() - t0, 2)
        latencies.sort()
        out["add_segment_p50_ms"] = round(statistics.median(latencies) * 1000, 2)
        out["add_segment_p99_ms"] = round(latencies[int(len(latencies) * 0.99)] * 1000, 2)
        t0 = time.perf_counter()
        panel = HistoryPanel(store)
        panel.refresh()
        app.processEvents()
        out["panel_load_s"] = round(time.perf_counter() - t0, 3)
        out["panel_refresh_s"] = round(_best_of(panel.refresh, 3), 3)
        out["search_s"] = round(_best_of(lambda: store.search("harbours"), 3), 4)
        out["search_hits"] = len(store.search("harbours"))
        out["database_bytes"] = store.disk_usage().database_bytes
        panel.deleteLater()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.export_bench", description=__doc__)
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--segments-per-session", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", help="where to put the history database (default: the temp "
                        "dir; fsync cost depends on the file system)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = {"export": bench_exports(args.words, args.repeat),
              "history": bench_history(args.sessions, args.segments_per_session, args.dir)}
    if args.json:
        print(json.dumps(result))
    else:
        for section, values in result.items():
            print(f"[{section}]")
            for key, value in values.items():
                print(f"  {key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
