"""A commit's redacted form (§6.8) lined up with its raw form, sans-I/O. Stdlib only.

`redacted_transcript` gives the redacted text only, not where its placeholders sit, so the
two texts are lined up word by word (`difflib`): words equal in both are the same word;
a run that differs is an entity (raw words) and its placeholder (redacted words). Every
text this module returns is made of redacted words (or a tail of a raw word that is equal
in both), so a raw entity can never come out of it, however the two texts line up; only
timings are taken from the raw side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from .events import EntitiesFound, Redacted
from .messages import CommittedTranscriptEntities, Entity, RedactedTranscript, Word, WordType
from .overlap import drop_words

_WORD = re.compile(r"\S+")

__all__ = ["annotation", "cut_entities", "cut_redacted", "redact_words"]


def _opcodes(raw: list[str], redacted: list[str]) -> Sequence[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, raw, redacted, autojunk=False).get_opcodes()


def cut_redacted(text: str, redacted_text: str, cut_words: int) -> str:
    """`redacted_text` without what corresponds to the first `cut_words` word tokens of
    `text` (the words a replay repeated, cut from the commit by `overlap`). A placeholder
    whose entity was only partly cut stays: a repeated placeholder is harmless, a dropped
    one would lose the mention."""
    if cut_words <= 0:
        return redacted_text
    cut_at = len(text) - len(drop_words(text, cut_words))
    raw = list(_WORD.finditer(text))
    red = _WORD.findall(redacted_text)
    kept: list[str] = []
    for tag, i1, i2, j1, j2 in _opcodes([m.group(0) for m in raw], red):
        if tag == "equal":
            for m in raw[i1:i2]:
                if m.end() <= cut_at:
                    continue
                kept.append(text[max(cut_at, m.start()):m.end()])
            continue
        gone = i2 > i1 and all(m.end() <= cut_at for m in raw[i1:i2])
        if not gone and not (i1 == i2 and i1 < len(raw) and raw[i1].end() <= cut_at):
            kept.extend(red[j1:j2])
    return " ".join(kept)


def cut_entities(text: str, entities: tuple[Entity, ...], cut_words: int,
                 ) -> tuple[Entity, ...]:
    """`entities` of `text` moved onto `text` without its first `cut_words` word tokens:
    spans inside the cut are dropped, the others shifted (a span the cut crosses keeps
    its uncut tail)."""
    if cut_words <= 0:
        return entities
    cut_at = len(text) - len(drop_words(text, cut_words))
    out = []
    for e in entities:
        if e.start_char is None or e.end_char is None:
            out.append(e)
        elif e.end_char > cut_at:
            start = max(e.start_char, cut_at)
            out.append(replace(e, text=text[start:e.end_char], start_char=start - cut_at,
                               end_char=e.end_char - cut_at))
    return tuple(out)


def redact_words(words: tuple[Word, ...], redacted_text: str) -> tuple[Word, ...]:
    """Word items whose texts are the words of `redacted_text`, in order, timed by the raw
    `words` they line up with: equal words keep their item; an entity's raw items become
    one item holding its placeholder, from the first one's start to the last one's end
    (characters and logprob dropped: they describe the raw word). Spacing items come back
    between words when the raw items had them."""
    spoken = [w for w in words if w.type != WordType.SPACING]
    spaced = len(spoken) != len(words)
    red = _WORD.findall(redacted_text)
    items: list[Word] = []
    for tag, i1, i2, j1, j2 in _opcodes([w.text.strip() for w in spoken], red):
        if tag == "equal":
            items.extend(spoken[i1:i2])
        elif j2 > j1:
            if i2 > i1:
                first, last = spoken[i1], spoken[i2 - 1]
            else:  # a placeholder with no raw word of its own: at the gap it sits in
                first = last = spoken[i1 - 1] if i1 else (spoken[0] if spoken else Word(""))
            start = first.start_s if i2 > i1 or not i1 else last.end_s
            items.append(Word(" ".join(red[j1:j2]), start_s=start, end_s=last.end_s,
                              type=WordType.WORD, speaker_id=first.speaker_id,
                              channel_index=first.channel_index))
    if not spaced:
        return tuple(items)
    out: list[Word] = []
    for item in items:
        if out:
            out.append(Word(" ", out[-1].end_s, item.start_s, WordType.SPACING,
                            speaker_id=item.speaker_id))
        out.append(item)
    return tuple(out)


def annotation(index: int, message: RedactedTranscript | CommittedTranscriptEntities,
               cut_words: int) -> Redacted | EntitiesFound:
    """§6.7/§6.8: an entity message follows the commit it describes (commit `index`, after
    its timestamps); it loses the `cut_words` leading words the replay overlap cut from it."""
    text = drop_words(message.text, cut_words)
    if isinstance(message, RedactedTranscript):
        return Redacted(index, text, cut_redacted(message.text, message.redacted_text,
                                                  cut_words))
    return EntitiesFound(index, text, cut_entities(message.text, message.entities, cut_words))
