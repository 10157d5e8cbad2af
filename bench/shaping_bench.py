"""Benchmark text shaping per committed segment (target: p99 <= 1 ms).

Times, with every rule on (spoken commands, filler removal, numbers as digits, a dictionary
of 100 whole-word and 5 regex entries), on segments with word timings:

* `shape()`: one segment alone, what an inserter calls;
* `ShapedDocument.apply()`: what the session does per commit (shape, then lay the segment
  out after the ones before it, and update any an edit reached), at the end of a session
  that already holds 1,000 segments.

Segments: dictation (10-40 everyday words, a quarter with a paused command, some fillers
and spoken numbers), spoken numbers (mostly number words), long (225 words, about 90 s of
speech) and worst case (225 words, every other one a command word or a filler). Every
measured segment is new text: the number converter's cache never answers for it.

    python -m bench.shaping_bench [--repeat 3] [--json]
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
from scribe_desktop.core.transcript import Segment, SegmentAdded  # noqa: E402
from scribe_desktop.protocol.messages import Word, WordType  # noqa: E402
from scribe_desktop.shaping import (  # noqa: E402
    CaseRule,
    NumberStyle,
    Replacement,
    ShapedDocument,
    ShapingRules,
    shape,
)
from scribe_desktop.shaping import numbers as number_cache  # noqa: E402

_VOCABULARY = ("the meeting starts at ten in the morning please call me back tomorrow and "
               "bring the report we need more time to finish the project open the door turn "
               "on the kitchen lights i would like a cup of coffee it was born from a simple "
               "idea period of the contract new line of products all caps")
WORDS = _VOCABULARY.split()
NUMBERS = ("one", "two", "three", "twenty", "thirty", "forty", "five", "hundred", "thousand",
           "and", "seven", "nineteen")
COMMANDS = ("new line", "period", "comma", "new paragraph", "scratch that", "question mark",
            "all caps", "end caps", "undo that")
FILLERS = ("um", "uh", "er")


def rules() -> ShapingRules:
    entries = [Replacement(f"term {n} {WORDS[n % len(WORDS)]}", f"Term{n}") for n in range(100)]
    entries += [Replacement(p, "X", CaseRule.AS_WRITTEN, regex=True)
                for p in (r"k8s|kates", r"\bv\d+\b", r"colou?r", r"e-?mail", r"wi-?fi")]
    entries += [Replacement("coffee", "Coffee")]
    return ShapingRules(commands=True, remove_fillers=True, numbers=NumberStyle.DIGITS,
                        replacements=tuple(entries))


def timed(tokens: list[str], pauses: set[int], start_s: float = 0.0) -> Segment:
    """A segment of `tokens` with word timings; a 0.5 s pause before each index in `pauses`."""
    words: list[Word] = []
    t = start_s
    for n, token in enumerate(tokens):
        gap = 0.5 if n in pauses else 0.05
        if n:
            words.append(Word(" ", t, t + gap, WordType.SPACING))
        t += gap
        words.append(Word(token, t, t + 0.25))
        t += 0.25
    return Segment(0, " ".join(tokens), tuple(words), "en")


def dictation(rng: random.Random) -> Segment:
    tokens = [rng.choice(WORDS) for _ in range(rng.randint(10, 40))]
    pauses: set[int] = set()
    if rng.random() < 0.25:
        at = rng.randrange(1, len(tokens))
        command = rng.choice(COMMANDS).split()
        tokens[at:at] = command
        pauses = {at, at + len(command)}
    for _ in range(rng.randint(0, 2)):
        tokens.insert(rng.randrange(len(tokens)), rng.choice(FILLERS))
    if rng.random() < 0.5:
        at = rng.randrange(len(tokens))
        tokens[at:at] = [rng.choice(NUMBERS) for _ in range(rng.randint(1, 4))]
    return timed(tokens, pauses)


def spoken_numbers(rng: random.Random) -> Segment:
    return timed([rng.choice(NUMBERS) if rng.random() < 0.8 else rng.choice(WORDS)
                  for _ in range(rng.randint(10, 40))], set())


def long(rng: random.Random) -> Segment:
    segment = dictation(rng)
    tokens = segment.text.split() + [rng.choice(WORDS) for _ in range(225)]
    return timed(tokens[:225], {n for n in range(0, 225, 20)})


def worst(rng: random.Random) -> Segment:
    odd = (*FILLERS, "period")
    tokens = [rng.choice(COMMANDS).split()[0] if n % 2 else rng.choice(odd) for n in range(225)]
    return timed(tokens, set(range(0, 225, 2)))


KINDS = {"dictation": (dictation, 300), "spoken numbers": (spoken_numbers, 200),
         "long": (long, 50), "worst case": (worst, 20)}


def _measure(call: Any, cpu: list[float], wall: list[float]) -> None:
    """Thread CPU time (the work itself, what 2 busy shared cores cannot inflate) and wall
    time (what the caller waited, preemption included) of one call, in ms."""
    number_cache.to_digits.cache_clear()
    number_cache.to_words.cache_clear()
    c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
    call()
    wall.append((time.perf_counter_ns() - t0) / 1e6)
    cpu.append((time.thread_time_ns() - c0) / 1e6)


def _stats(prefix: str, values: list[float]) -> dict[str, float]:
    return {f"{prefix}_p50_ms": round(percentile(values, 50), 3),
            f"{prefix}_p99_ms": round(percentile(values, 99), 3),
            f"{prefix}_max_ms": round(max(values), 3)}


def run(repeat: int) -> list[dict[str, Any]]:
    shaping = rules()
    rng = random.Random(1)
    results = []
    shape("warm up new line twenty one", rules=shaping)  # imports, regex compilation
    for name, (make, count) in KINDS.items():
        alone_cpu: list[float] = []
        alone_wall: list[float] = []
        doc_cpu: list[float] = []
        doc_wall: list[float] = []
        words: list[int] = []
        for _ in range(repeat):
            segments = [make(rng) for _ in range(count)]
            words += [len(s.text.split()) for s in segments]
            for segment in segments:
                _measure(lambda s=segment: shape(s, rules=shaping), alone_cpu, alone_wall)
            document = ShapedDocument()
            for n in range(1000):  # a long session before the measured commits
                document.apply(SegmentAdded(Segment(n, f"segment {n} of the session.")),
                               shaping)
            for n, segment in enumerate(segments, 1000):
                change = SegmentAdded(Segment(n, segment.text, segment.words, "en"))
                _measure(lambda c=change, d=document: d.apply(c, shaping), doc_cpu, doc_wall)
        results.append({"segments": name, "count": count * repeat,
                        "mean_words": round(sum(words) / len(words), 1),
                        **_stats("shape_cpu", alone_cpu), **_stats("shape_wall", alone_wall),
                        **_stats("document_cpu", doc_cpu),
                        **_stats("document_wall", doc_wall)})
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| segments | count | words | shape() CPU p50 / p99 (max) | wall p99 | "
             "document CPU p50 / p99 (max) | wall p99 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        cells = [r["segments"], str(r["count"]), str(r["mean_words"])]
        for what in ("shape", "document"):
            cells.append(f"{r[what + '_cpu_p50_ms']:.3f} / {r[what + '_cpu_p99_ms']:.3f} ms "
                         f"({r[what + '_cpu_max_ms']:.2f} ms)")
            cells.append(f"{r[what + '_wall_p99_ms']:.3f} ms")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.shaping_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    results = run(args.repeat)
    if args.json:
        print(json.dumps({"benchmark": "shaping_bench", "results": results}))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
