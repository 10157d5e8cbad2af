"""Entities written out in symbols, as Whisper-like engines write them: e-mail addresses,
URLs, IP addresses and IBANs found by pattern, then validated."""

from __future__ import annotations

import re

from .catalog import EMAIL, IBAN, IP, URL
from .checks import IBAN_LENGTHS, TLDS, email_ok, iban_ok, ip_ok
from .found import Found

_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9])?@"
                    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+")
_DOMAIN = re.compile(r"(?i)(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,24})"
                     r"(?:/[^\s<>\"'()\[\]{}]*)?(?![\w@-])")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){2,9}")
_TRAILING = ".,;:!?"
# "version 1.2.3.4" is a version number, not an address
VERSION_WORDS = frozenset({"version", "v", "ver", "release", "build", "firmware", "update"})


def detect_written(text: str) -> list[Found]:
    found: list[Found] = []
    for m in _EMAIL.finditer(text):
        if email_ok(m.group()):
            found.append(Found(m.start(), m.end(), EMAIL, m.group().lower()))
    for m in _URL.finditer(text):
        url = m.group().rstrip(_TRAILING)
        found.append(Found(m.start(), m.start() + len(url), URL, url.lower()))
    for m in _DOMAIN.finditer(text):
        url = m.group().rstrip(_TRAILING)
        if m.group(1).lower() in TLDS and not url.replace(".", "").isdigit():
            found.append(Found(m.start(), m.start() + len(url), URL, url.lower()))
    for m in _IPV4.finditer(text):
        value = ip_ok(m.group())
        if value is not None and not after_version_word(text, m.start()):
            found.append(Found(m.start(), m.end(), IP, value))
    for m in _IPV6.finditer(text):
        value = ip_ok(m.group())
        if value is not None and sum(c.isalnum() for c in m.group()) >= 2:
            found.append(Found(m.start(), m.end(), IP, value))
    for m in _IBAN.finditer(text):
        hit = _iban(m.start(), m.group())
        if hit is not None:
            found.append(hit)
    return found


def after_version_word(text: str, start: int) -> bool:
    before = re.findall(r"[A-Za-z]+", text[max(0, start - 24):start])
    return bool(before) and before[-1].lower() in VERSION_WORDS


def _iban(start: int, match: str) -> Found | None:
    """The IBAN at the start of `match`: exactly its country's length of characters."""
    length = IBAN_LENGTHS.get(match[:2])
    if length is None:
        return None
    taken = 0
    for offset, ch in enumerate(match):
        if ch != " ":
            taken += 1
        if taken == length:
            compact = match[:offset + 1].replace(" ", "")
            mid_group = offset + 1 < len(match) and match[offset + 1] != " "
            if iban_ok(compact) and not mid_group:
                return Found(start, start + offset + 1, IBAN, compact)
            return None
    return None
