"""Hesitation words ("um", "uh", "er") dropped, the local equivalent of the cloud's
`no_verbatim`, so it also works on the local engine. Pure.

A dropped filler counts as a pause (it is one), its comma goes with it, a sentence end it
carried moves to the word before, and a capital it carried at a sentence start passes to
the next word.
"""

from __future__ import annotations

from .tokens import SENTENCE_MARKS, Token, strip_marks

FILLERS = frozenset({"um", "umm", "uhm", "uh", "uhh", "er", "erm", "hmm", "hm", "mm"})


def is_filler(surface: str) -> bool:
    """True for a hesitation word, whatever its case and punctuation ("Um," "uh..."); an
    all-caps "ER" is an abbreviation, not a filler."""
    key = strip_marks(surface)
    if key.casefold() not in FILLERS:
        return False
    return not (key.isupper() and key.casefold() == "er")


def drop_fillers(tokens: list[Token]) -> list[Token]:
    """`tokens` without fillers (see the module doc)."""
    out: list[Token] = []
    capital_next = False
    hesitation = False
    for token in tokens:
        if token.key in FILLERS and not token.brk and is_filler(token.surface):
            tail = token.surface.rstrip()[-1:]
            if tail in SENTENCE_MARKS and out and not out[-1].brk \
                    and out[-1].surface[-1:] not in SENTENCE_MARKS:
                out[-1] = out[-1].but(surface=out[-1].surface.rstrip(",;:") + tail)
            starts_sentence = not out or out[-1].brk or \
                out[-1].surface.rstrip("\"'”’)")[-1:] in SENTENCE_MARKS
            capital_next = capital_next or (token.surface[:1].isupper() and starts_sentence)
            hesitation = True
            continue
        if capital_next and token.surface[:1].islower():
            token = token.but(surface=token.surface[0].upper() + token.surface[1:])
        capital_next = False
        if hesitation:
            token = token.but(pause_before=True)
            hesitation = False
        out.append(token)
    return out
