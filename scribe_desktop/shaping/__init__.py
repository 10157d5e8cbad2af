"""Text shaping (layer 0, pure: no I/O; may import core and protocol, and the number
libraries `text_to_num` and `num2words`): a committed segment's text made ready to use —
spoken commands, the user dictionary, numbers, fillers, spacing and capitals — for
insertion, the window, the history and exports. The raw text stays in `Segment.text`.

    result = shape(segment, context, rules)   # ShapeResult(text, actions, context)
    piece = joint(text_before_cursor, result.text)   # Joint(delete, text)
    document = ShapedDocument(); document.apply(change, rules)   # Segment.shaped set

docs/architecture.md ("Text shaping") describes the API and the ledger semantics an
inserter follows.
"""

from __future__ import annotations

from .commands import COMMANDS, Command, command_help
from .dictionary_csv import DictionaryCsvError, read_dictionary, write_dictionary
from .document import ShapedDocument
from .replace import ReplacementError, problems
from .rules import CaseRule, NumberStyle, Replacement, ShapingRules
from .shaper import Action, ScratchLast, ShapeContext, ShapeResult, UndoLast, shape
from .spacing import Joint, join, joint

__all__ = [
    "COMMANDS",
    "Action",
    "CaseRule",
    "Command",
    "DictionaryCsvError",
    "Joint",
    "NumberStyle",
    "Replacement",
    "ReplacementError",
    "ScratchLast",
    "ShapeContext",
    "ShapeResult",
    "ShapedDocument",
    "ShapingRules",
    "UndoLast",
    "command_help",
    "join",
    "joint",
    "problems",
    "read_dictionary",
    "shape",
    "write_dictionary",
]
