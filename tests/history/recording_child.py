"""A process that records a session from stdin lines, acknowledging each durable segment.

    python -m tests.history.recording_child DB
stdin: one segment text per line (a line `enrich N` enriches segment N with word times);
stdout: `begun ID` once, then `ok N` after each segment is durable.
"""

from __future__ import annotations

import sys

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import SessionMeta, SessionSource
from scribe_desktop.history import HistoryStore
from scribe_desktop.protocol.messages import Word


def main() -> int:
    store = HistoryStore.open(sys.argv[1])
    rec = store.begin_session(SessionMeta(source=SessionSource.LISTEN, backend="local"),
                              keep_audio=True, audio_format="pcm_16000")
    print(f"begun {rec.id}", flush=True)
    n = 0
    for line in sys.stdin:
        text = line.rstrip("\n")
        if text.startswith("enrich "):
            index = int(text.split()[1])
            rec.enrich(Segment(index, "", (Word("x", 1.0 * index, 1.0 * index + 0.5),), "en"))
            print(f"enriched {index}", flush=True)
            continue
        rec.add_audio(b"\x00\x01" * 800)
        rec.add_segment(Segment(n, text))
        print(f"ok {n}", flush=True)
        n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
