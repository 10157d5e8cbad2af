"""Benchmark entity detection and redaction per committed segment (target: p99 <= 5 ms).

Times `entity_messages` (all detectors, overlap resolution, redaction and the message
objects; what the session adds after each commit with entity_detection=all and
entity_redaction=all) on four kinds of segment:

* corpus: the transcripts of tests/server/test_entities_corpus.py (with and without
  entities, written and spoken);
* dictation: 10-40 word segments of everyday words, a third with one entity;
* spoken digits: 10-40 words of which most are number words ("five five five ...");
* long: 225 words, about 90 s of speech (the auto-commit interval), entities included;
* worst case: 225 spoken digits joined by "dot" (every address detector reads all of it).

    python -m bench.entity_bench [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402
from scribe_desktop.protocol.options import SessionOptions  # noqa: E402
from scribe_desktop.server.entities import EntityState, entity_messages  # noqa: E402

_VOCABULARY = ("the meeting starts at ten in the morning please call me back tomorrow and "
               "bring the report we need more time to finish the project open the door turn "
               "on the kitchen lights i would like a cup of coffee it was born from a simple "
               "idea dot com period version")
WORDS = _VOCABULARY.split()
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ENTITIES = ("john@example.com", "555-123-4567", "4111 1111 1111 1111", "192.168.1.10",
            "john dot smith at example dot com", "DE89 3704 0044 0532 0130 00",
            "five five five one two three four five six seven", "born on July 12, 1987",
            "www.example.com/pricing", "123-45-6789")


def segments(rng: random.Random) -> dict[str, list[str]]:
    from tests.server.test_entities_corpus import CORPUS

    def dictation(n: int, entity: bool) -> str:
        words = [rng.choice(WORDS) for _ in range(n)]
        if entity:
            words.insert(rng.randrange(len(words) + 1), rng.choice(ENTITIES))
        return " ".join(words)

    def digits(n: int) -> str:
        return " ".join(rng.choice(DIGITS) if rng.random() < 0.8 else rng.choice(WORDS)
                        for _ in range(n))

    return {
        "corpus": [text for text, _ in CORPUS],
        "dictation": [dictation(rng.randint(10, 40), rng.random() < 0.33) for _ in range(300)],
        "spoken digits": [digits(rng.randint(10, 40)) for _ in range(200)],
        "long": [dictation(225, True) + " and " + rng.choice(ENTITIES) for _ in range(50)],
        "worst case": [" dot ".join(rng.choice(DIGITS) for _ in range(225)) for _ in range(20)],
    }


def run(repeat: int) -> list[dict[str, Any]]:
    options = SessionOptions(entity_detection=("all",), entity_redaction=("all",))
    results = []
    for name, texts in segments(random.Random(1)).items():
        state = EntityState(options)
        for text in texts:  # warm-up: imports, regex caches
            entity_messages(text, options, state)
        times_ms: list[float] = []
        found = 0
        for _ in range(repeat):
            for text in texts:
                t0 = time.perf_counter_ns()
                out = entity_messages(text, options, state)
                times_ms.append((time.perf_counter_ns() - t0) / 1e6)
                found += len(out[0].entities)  # type: ignore[union-attr]
        words = sum(len(t.split()) for t in texts) / len(texts)
        results.append({"segments": name, "count": len(texts), "mean_words": round(words, 1),
                        "entities_per_segment": round(found / len(times_ms), 2),
                        "p50_ms": round(percentile(times_ms, 50), 3),
                        "p99_ms": round(percentile(times_ms, 99), 3),
                        "max_ms": round(max(times_ms), 3)})
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| segments | count | words (mean) | entities / segment | p50 | p99 | max |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['segments']} | {r['count']} | {r['mean_words']} | "
                     f"{r['entities_per_segment']} | {r['p50_ms']:.2f} ms | "
                     f"{r['p99_ms']:.2f} ms | {r['max_ms']:.2f} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.entity_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    results = run(args.repeat)
    if args.json:
        print(json.dumps({"benchmark": "entity_bench", "results": results}))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
