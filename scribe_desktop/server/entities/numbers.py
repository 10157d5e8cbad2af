"""Card numbers, phone numbers and SSNs in runs of digits, written or spoken.

A run is tried whole first. Only when a written run is nothing may a tightly written part of
it be tried ("room 204 555-123-4567"); a spoken run is never cut: a spoken 16-digit number
that fails Luhn is not a card, and no 10 of its digits become a phone number either.
"""

from __future__ import annotations

from .catalog import CARD, PHONE, SSN
from .checks import card_ok, e164_ok, nanp_ok, ssn_ok
from .found import Found
from .tokens import Run, Token

PHONE_CONTEXT = frozenset({"phone", "number", "call", "cell", "mobile", "telephone", "tel",
                           "text", "dial", "fax", "reach", "contact", "ring", "whatsapp"})
SSN_CONTEXT = frozenset({"ssn", "social"})
CONTEXT_WORDS = 6  # how far before a number its context word may be
MAX_GROUPS = 5  # a written card has at most 5 groups (4-4-4-4-3), a phone number 4

# written phone groupings: 555-123-4567, (555) 123-4567, 1-800-555-1212, 555-1234
_PHONE_SHAPES = frozenset({(3, 3, 4), (1, 3, 3, 4), (3, 4)})
_PHONE_GAPS = frozenset({"-", ".", " ", ")"})


def detect_numbers(text: str, tokens: list[Token], runs: list[Run]) -> list[Found]:
    found: list[Found] = []
    for run in runs:
        if glued_to_letters(tokens, run):
            continue
        hit = _classify(text, tokens, run)
        if hit is None and _may_split(run):
            hit = _split(text, tokens, run)
        if hit is not None:
            found.append(hit)
    return found


def _classify(text: str, tokens: list[Token], run: Run) -> Found | None:
    digits = run.digits
    start, end = tokens[run.first].start, tokens[run.last].end
    gaps = set(run.gaps)
    if card_ok(digits) and (run.spoken or gaps <= {" ", "-", ""}):
        return Found(start, end, CARD, digits)
    words = _context(tokens, run.first)
    if ssn_ok(digits):
        written_shape = not run.spoken and run.shape == (3, 2, 4) and len(gaps) == 1 \
            and gaps <= {"-", " "}
        plain = run.spoken or len(run.groups) == 1
        if written_shape or (plain and words & SSN_CONTEXT):
            return Found(start, end, SSN, digits)
    plus = _plus_before(text, tokens, run.first)
    if plus is not None:
        return Found(plus, end, PHONE, "+" + digits) if e164_ok(digits) else None
    if "(" in text[max(0, start - 1):start] and run.gaps[:1] == (")",):
        start -= 1  # "(555) 123-4567": the bracket belongs to the number
    grouped = not run.spoken and run.shape in _PHONE_SHAPES and gaps <= _PHONE_GAPS
    if nanp_ok(digits) and (grouped or run.spoken or words & PHONE_CONTEXT):
        return Found(start, end, PHONE, digits[-10:])
    if len(digits) == 7 and digits[0] not in "01" and (grouped or run.spoken) \
            and words & PHONE_CONTEXT:
        return Found(start, end, PHONE, digits)
    return None


def _may_split(run: Run) -> bool:
    return len(run.groups) > 2 and not run.spoken


def _split(text: str, tokens: list[Token], run: Run) -> Found | None:
    """The longest prefix or suffix that is a tightly written number ("555-123-4567",
    groups joined by - . or a bracket), cut from the rest at a space, that is an entity."""
    n = len(run.groups)
    for size in range(min(n - 1, MAX_GROUPS), 1, -1):
        for lo in (n - size, 0):  # the suffix first: context words precede the number
            hi = lo + size
            cut = run.gaps[hi - 1] if hi < n else run.gaps[lo - 1]
            sub = run.sub(lo, hi)
            if cut != " " or not set(sub.gaps) <= {"-", ".", ")"}:
                continue
            hit = _classify(text, tokens, sub)
            if hit is not None:
                return hit
    return None


def glued_to_letters(tokens: list[Token], run: Run) -> bool:
    """A run touching letters ("DE89 3704...", "BA12 3456") is part of a code, not a number
    of its own."""
    before = tokens[run.first - 1] if run.first > 0 else None
    after = tokens[run.last + 1] if run.last + 1 < len(tokens) else None
    return (before is not None and before.is_word and before.end == tokens[run.first].start
            and not run.groups[0].spoken) or (
        after is not None and after.is_word and after.start == tokens[run.last].end
        and not run.groups[-1].spoken)


def _context(tokens: list[Token], first: int) -> set[str]:
    return {t.low for t in tokens[max(0, first - CONTEXT_WORDS):first] if t.is_word}


def _plus_before(text: str, tokens: list[Token], first: int) -> int | None:
    """Where a "+" or the word "plus" right before tokens[first] starts, if there is one."""
    if first == 0:
        return None
    prev = tokens[first - 1]
    if (prev.text == "+" or prev.low == "plus") \
            and not text[prev.end:tokens[first].start].strip():
        return prev.start
    return None
