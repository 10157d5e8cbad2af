"""`shape()`: one committed segment's text ready to use. Pure, deterministic, cheap.

    result = shape(segment, context, rules)   # -> ShapeResult(text, actions, context)

Steps: tokens with pauses (`tokens`), fillers dropped (`fillers`), spoken commands found where
they stand alone (`commands`), the text between them cut into phrases (at pauses and
sentence ends) and each phrase run through the user dictionary (`replace`) and the number
style (`numbers`), then everything assembled with punctuation attached and capitals after
a sentence end the user spoke.

Edits reach only as far back as the segment itself: "scratch that" removes the last phrase of
this segment, or when there is none, becomes a `ScratchLast` action for whoever holds the
earlier text (the inserter's ledger, `document.ShapedDocument`). "undo that" reverts the last
edit of this segment, or becomes `UndoLast`. Actions come before the text in effect: run them
all, then insert `text`. The segment's start is joined to what came before by
`spacing.joint` (space, capital, a punctuation mark replacing the one before it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.transcript import Segment
from ..protocol.messages import Word
from .commands import FIRST_WORDS, Command, Kind, match, separated
from .fillers import drop_fillers
from .numbers import convert
from .replace import compiled, splice
from .rules import ShapingRules
from .tokens import MARKS, SENTENCE_MARKS, Token, tokenize


@dataclass(frozen=True, slots=True)
class ScratchLast:
    """Remove the last inserted segment that is still there."""


@dataclass(frozen=True, slots=True)
class UndoLast:
    """Undo the last edit: remove the last insertion, or restore what a scratch removed."""


Action = ScratchLast | UndoLast


@dataclass(frozen=True, slots=True)
class ShapeContext:
    """What one segment's shaping hands to the next one's."""

    caps: bool = False  # inside "all caps"


@dataclass(frozen=True, slots=True)
class ShapeResult:
    text: str  # this segment's shaped text (no separator before it; may hold newlines)
    actions: tuple[Action, ...] = ()  # to run before inserting `text`
    context: ShapeContext = field(default_factory=ShapeContext)
    commands: tuple[str, ...] = ()  # the commands that fired, in order


@dataclass(frozen=True, slots=True)
class _Chunk:
    kind: Kind | None  # None: dictated text
    text: str
    sentence_end: bool = False  # a command the engine wrote as ending a sentence ("Comma.")


@dataclass(slots=True)
class _State:
    """The segment's output so far, and how to undo each edit of it ("undo that")."""

    chunks: list[_Chunk]
    actions: list[Action]
    caps: bool
    undo: list[Callable[[], object]] = field(default_factory=list)

    def push(self, chunk: _Chunk) -> None:
        self.chunks.append(chunk)
        self.undo.append(self.chunks.pop)

    def command(self, command: Command, sentence_end: bool = False) -> None:
        kind = command.kind
        if kind is Kind.UNDO:
            if self.undo:
                self.undo.pop()()
            else:
                self.actions.append(UndoLast())
        elif kind is Kind.SCRATCH:
            texts = [n for n, c in enumerate(self.chunks) if c.kind is None]
            if self.chunks:
                cut = texts[-1] if texts else 0
                removed = self.chunks[cut:]
                del self.chunks[cut:]
                self.undo.append(lambda: self.chunks.extend(removed))
            else:
                self.actions.append(ScratchLast())
                self.undo.append(self.actions.pop)
        elif kind in (Kind.CAPS_ON, Kind.CAPS_OFF):
            before = self.caps
            self.caps = kind is Kind.CAPS_ON

            def restore() -> None:
                self.caps = before
            self.undo.append(restore)
        else:
            self.push(_Chunk(kind, command.output, sentence_end))


def _capitalized(text: str) -> str:
    for n, ch in enumerate(text):
        if ch.isalpha():
            return text[:n] + ch.upper() + text[n + 1:] if ch.islower() else text
        if ch.isalnum():
            return text
    return text


# Words that start a sentence with a capital but are never names: after a spoken comma
# where the engine had ended a sentence ("Hello world. Comma. How are you?"), the engine's
# capital is undone for these only.
_COMMON_WORDS = ("a an and are as at but can could did do does for he her here his how if "
                 "in is it its my no not of on or our please she so thanks that the their "
                 "then there these they this those to was we were what when where which who "
                 "why will with would yes you your")
_COMMON = frozenset(_COMMON_WORDS.split(" "))


def _lowered(text: str) -> str:
    first = text.split(" ", 1)[0]
    word = first.rstrip(",.;:!?")
    if word[:1].isupper() and word[1:].islower() and word.lower() in _COMMON:
        return text[0].lower() + text[1:]
    return text


def _assemble(chunks: Sequence[_Chunk]) -> str:
    out = ""
    capital_next = attach_next = lower_next = False
    for chunk in chunks:
        kind, text = chunk.kind, chunk.text
        if kind is None:
            if capital_next:
                text = _capitalized(text)
            elif lower_next:
                text = _lowered(text)
            if out and not attach_next and not out[-1].isspace():
                out += " "
            out += text
            capital_next = attach_next = lower_next = False
        elif kind is Kind.MARK:
            out = out.rstrip(" ")
            replaced = out[-1:] in SENTENCE_MARKS
            if out and out[-1] in MARKS:  # the engine's own mark: never doubled
                out = out[:-1]
            out += text
            capital_next = text in ".?!"
            lower_next = not capital_next and (replaced or chunk.sentence_end)
        elif kind is Kind.BREAK:
            out = out.rstrip(" ") + text
            capital_next = attach_next = True
        elif kind is Kind.OPEN_QUOTE:
            if out and not out[-1].isspace():
                out += " "
            out += text
            attach_next = True
        elif kind is Kind.CLOSE_QUOTE:
            out = out.rstrip(" ").rstrip(",;") + text
    return out.strip(" ")


_SPACES = re.compile(r" {2,}")


def shape(segment: Segment | str, context: ShapeContext | None = None,
          rules: ShapingRules | None = None, *, words: Sequence[Word] | None = None,
          language: str | None = None) -> ShapeResult:
    """Shape one segment (its text and word timings; or a text with optional `words`).
    `context` is the previous segment's `result.context`; `rules` default to no change but
    trimming. Raises `replace.ReplacementError` for a dictionary that cannot be used
    (Settings.validate() rejects one first)."""
    context = context or ShapeContext()
    rules = rules or ShapingRules()
    if isinstance(segment, Segment):
        text, words = segment.text, segment.words
        language = language or segment.language_code
    else:
        text = segment
    language = language or rules.language
    if not text.strip(" \t\r"):  # newlines are content: a shaped "new line"
        return ShapeResult("", (), context)
    if not rules.changes_words and not context.caps:
        return ShapeResult(text.strip(" \t\r"), (), context)
    tokens = tokenize(text, words, rules.pause_s)
    if rules.remove_fillers:
        tokens = drop_fillers(tokens)
    sep = separated(tokens)
    replacer = compiled(rules.replacements)
    state = _State([], [], context.caps)
    fired: list[str] = []
    phrase: list[Token] = []
    run: list[list[Token]] = []  # the phrases since the last command
    commands = rules.commands

    def flush() -> None:
        """The text since the last command, phrase by phrase. The dictionary sees it whole
        (a heard phrase may span a pause); phrases an entry spans are kept together."""
        if phrase:
            run.append(phrase[:])
            phrase.clear()
        if not run:
            return
        texts = [" ".join(t.surface for t in p) for p in run]
        run.clear()
        text = " ".join(texts)
        edits = replacer.edits(text)
        bounds, pos = [0], 0
        for piece in texts[:-1]:
            pos += len(piece) + 1
            if not any(e.start < pos - 1 < e.end for e in edits):  # its space is not edited
                bounds.append(pos)
        bounds.append(len(text) + 1)
        for lo, hi in itertools.pairwise(bounds):
            inside = [e for e in edits if lo <= e.start and e.end <= hi - 1]
            written, protected = splice(text[lo:hi - 1], inside, lo)
            written = convert(written, rules.numbers, language, protected)
            written = _SPACES.sub(" ", written).strip()
            if written:
                state.push(_Chunk(None, written.upper() if state.caps else written))

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.brk:
            flush()
            state.push(_Chunk(Kind.BREAK, token.surface))
            i += 1
            continue
        found = match(tokens, i, sep) if commands and sep[i] and token.key in FIRST_WORDS \
            else None
        if found is not None:
            command, length = found
            flush()
            state.command(command, tokens[i + length - 1].ends_sentence)
            fired.append(command.name)
            i += length
            continue
        if phrase and (token.pause_before or phrase[-1].ends_sentence):
            run.append(phrase[:])  # "scratch that" removes the last phrase, not all text
            phrase.clear()
        phrase.append(token)
        i += 1
    flush()
    return ShapeResult(_assemble(state.chunks), tuple(state.actions),
                       ShapeContext(caps=state.caps), tuple(fired))
