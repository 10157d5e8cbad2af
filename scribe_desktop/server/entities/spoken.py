"""Addresses said aloud: "john dot smith at example dot com", "w w w dot example dot com
slash pricing", "one nine two dot one six eight dot one dot one", "D E eight nine ...".

Each form is rebuilt into a candidate ("john.smith@example.com") and goes through the same
validators as the written form; the span covers the spoken words. "at" and "dot" are common
words, so a spoken address must end in a known top-level domain, a one-word local part must
not be an everyday word ("look at example dot com" is not an address), and a spoken domain
counts as a URL only after "www", with a path, or after a word such as "website".
"""

from __future__ import annotations

from .catalog import EMAIL, IBAN, IP, URL
from .checks import IBAN_LENGTHS, TLDS, email_ok, iban_ok, ip_ok
from .found import Found
from .tokens import Token, read_number
from .written import VERSION_WORDS

_DOT = frozenset({"dot", "."})
_AT = frozenset({"at", "@"})
_LOCAL_JOIN = {"dot": ".", ".": ".", "underscore": "_", "_": "_", "dash": "-",
               "hyphen": "-", "-": "-"}
_LABEL_JOIN = {"dash": "-", "hyphen": "-", "-": "-"}
_IP_DOT = frozenset({"dot", "point", "."})
MAX_LABELS = 8  # labels of a domain, and parts of a local part
URL_CONTEXT = frozenset({"website", "site", "url", "link", "visit", "homepage", "page",
                         "domain", "web", "browse", "online"})
# one-word "local parts" that are everyday words before "at": "look at", "meet me at"...
_EVERYDAY_WORDS = """
a an the this that these those it its me my us our you your him his her them their we
they he she i who what where when here there home work school look looking looked see
seen saw meet meeting met arrive arrived arriving stay stayed staying live lived living
lives be is are was were am been being and or but so if then than at in on of to for by
with from up out off over under again back now later today tonight tomorrow yesterday
good great best better worse bad least most all once twice aim aimed point pointed laugh
laughed smile smiled stare stared glance glanced shoot shot yell yelled angry upset mad
happy surprised sell sold buy bought shop shopped order ordered available found find
found sign signed log logged go went going come came coming start started end ended stop
stopped call called find things something anything everything nothing one two three
four five six seven eight nine ten dot com net org www
"""
EVERYDAY = frozenset(_EVERYDAY_WORDS.split())


def detect_spoken(tokens: list[Token]) -> list[Found]:
    found: list[Found] = []
    for a, tok in enumerate(tokens):
        if tok.low in _AT:
            hit = _email(tokens, a)
            if hit is not None:
                found.append(hit)
    if any(t.low in _IP_DOT for t in tokens):  # URLs and addresses need a dot
        found.extend(_urls(tokens))
        found.extend(_ipv4s(tokens))
    found.extend(_ibans(tokens))
    return found


def _is_label(tokens: list[Token], i: int) -> bool:
    return 0 <= i < len(tokens) and tokens[i].text.isalnum() and tokens[i].text.isascii()


def _chain(tokens: list[Token], j: int) -> tuple[list[str], int]:
    """Labels joined by "dot" from tokens[j] (at most MAX_LABELS), and the index of the
    last token; the bound keeps a long "one dot two dot ..." linear to scan."""
    labels: list[str] = []
    last = j - 1
    while _is_label(tokens, last + 1) and len(labels) < MAX_LABELS:
        label, last = _label(tokens, last + 1)
        labels.append(label)
        if _low(tokens, last + 1) in _DOT and _is_label(tokens, last + 2):
            last += 1
            continue
        break
    return labels, last


def _domain(tokens: list[Token], j: int) -> tuple[list[str], int] | None:
    """The chain at tokens[j] if it is a domain: two labels or more, the last a known
    top-level domain."""
    labels, last = _chain(tokens, j)
    if len(labels) < 2 or labels[-1] not in TLDS:
        return None
    return labels, last


def _label(tokens: list[Token], i: int) -> tuple[str, int]:
    """One label, with "dash"/"hyphen" joins ("my dash site" -> "my-site"); "w w w" spelled
    out is "www"."""
    if _low(tokens, i) == _low(tokens, i + 1) == _low(tokens, i + 2) == "w":
        return "www", i + 2
    text = tokens[i].low
    while _low(tokens, i + 1) in _LABEL_JOIN and _is_label(tokens, i + 2) \
            and _low(tokens, i + 2) not in TLDS:
        text += "-" + tokens[i + 2].low
        i += 2
    return text, i


def _email(tokens: list[Token], a: int) -> Found | None:
    j = a + 1
    if tokens[a].low == "at" and _low(tokens, j) in ("sign", "symbol"):
        j += 1
    domain = _domain(tokens, j)
    if domain is None or not _is_label(tokens, a - 1):
        return None
    labels, last = domain
    i = a - 1
    local = tokens[i].low
    while _low(tokens, i - 1) in _LOCAL_JOIN and _is_label(tokens, i - 2) \
            and a - i < 2 * MAX_LABELS:
        local = tokens[i - 2].low + _LOCAL_JOIN[_low(tokens, i - 1)] + local
        i -= 2
    if local in EVERYDAY:
        return None
    address = local + "@" + ".".join(labels)
    if not email_ok(address, known_tld=True):
        return None
    return Found(tokens[i].start, tokens[last].end, EMAIL, address)


def _urls(tokens: list[Token]) -> list[Found]:
    found: list[Found] = []
    i = 0
    while i < len(tokens):
        starts_chain = _low(tokens, i + 1) in _DOT or _low(tokens, i) == "w"
        if not starts_chain or not _is_label(tokens, i) or _low(tokens, i - 1) in _AT | _DOT:
            i += 1
            continue
        labels, last = _chain(tokens, i)
        if len(labels) < 2 or labels[-1] not in TLDS:
            i = last + 1  # no domain starts inside this chain either, but at its end
            continue
        path = ""
        while _low(tokens, last + 1) in ("slash", "/") and _is_label(tokens, last + 2):
            path += "/" + tokens[last + 2].low
            last += 2
        before = {t.low for t in tokens[max(0, i - 4):i]}
        spoken = any(tokens[k].low == "dot" for k in range(i, last + 1))
        if spoken and (labels[0] == "www" or path or before & URL_CONTEXT) \
                and (labels[0] == "www" or labels[0] not in EVERYDAY):
            found.append(Found(tokens[i].start, tokens[last].end, URL,
                               ".".join(labels) + path))
        i = last + 1
    return found


def _octets(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """An octet said at tokens[i] ("one nine two", "one hundred ninety two", "192"); None
    past three digits, so a long digit string costs no more than a short one."""
    digits = ""
    while i < len(tokens) and len(digits) <= 3:
        if tokens[i].is_digits:
            digits += tokens[i].text
            i += 1
            continue
        spoken = read_number(tokens, i)
        if spoken is None:
            break
        digits += spoken[0]
        i = spoken[1]
    return (digits, i) if 0 < len(digits) <= 3 else None


def _ipv4s(tokens: list[Token]) -> list[Found]:
    found: list[Found] = []
    # an address starts at most 3 number words before a dot: try only those places
    near_dot = [False] * len(tokens)
    for d, tok in enumerate(tokens):
        if tok.low in _IP_DOT:
            for k in range(max(0, d - 3), d):
                near_dot[k] = True
    i = 0
    while i < len(tokens):
        if not near_dot[i]:
            i += 1
            continue
        parts: list[str] = []
        j = i
        while len(parts) < 4:
            octet = _octets(tokens, j)
            if octet is None:
                break
            parts.append(octet[0])
            j = octet[1]
            if len(parts) < 4:
                if _low(tokens, j) not in _IP_DOT:
                    break
                j += 1
        if len(parts) == 4 and any(tokens[k].low in ("dot", "point") for k in range(i, j)):
            value = ip_ok(".".join(parts))
            before = {t.low for t in tokens[max(0, i - 2):i]}
            if value is not None and not before & VERSION_WORDS:
                found.append(Found(tokens[i].start, tokens[j - 1].end, IP, value))
                i = j
                continue
        i += 1
    return found


def _ibans(tokens: list[Token]) -> list[Found]:
    found: list[Found] = []
    for i in range(len(tokens) - 2):
        a, b = tokens[i], tokens[i + 1]
        if not (len(a.text) == len(b.text) == 1 and a.is_word and b.is_word):
            continue
        length = IBAN_LENGTHS.get((a.text + b.text).upper())
        if length is None:
            continue
        chars = (a.text + b.text).upper()
        j = i + 2
        while len(chars) < length and j < len(tokens):
            tok = tokens[j]
            if tok.is_digits or (len(tok.text) == 1 and tok.is_word):
                chars += tok.text.upper()
                j += 1
                continue
            spoken = read_number(tokens, j)
            if spoken is None:
                break
            chars += spoken[0]
            j = spoken[1]
        if len(chars) == length and iban_ok(chars):
            found.append(Found(a.start, tokens[j - 1].end, IBAN, chars))
    return found


def _low(tokens: list[Token], i: int) -> str:
    return tokens[i].low if 0 <= i < len(tokens) else ""
