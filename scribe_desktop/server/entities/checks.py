"""Validators: is this candidate really a card number, an IBAN, an SSN, an address?

Checksums are what keep a 16-digit order number from being reported as a card: every
candidate, written or spoken, goes through the same checks here.
"""

from __future__ import annotations

import ipaddress
import re

# IBAN length per country (the ISO 13616 registry; the tests compare it with python-stdnum)
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

# top-level domains accepted in addresses: the generic ones in wide use and country codes
# that are not also common file extensions or English words (.py, .sh, .it, .in, .me...),
# so "setup.py" or "go.in" are not URLs
_TLD_LIST = """
com net org edu gov mil int info biz io co ai app dev tech online site store shop blog
cloud xyz us uk de fr es nl eu ca au nz jp cn kr ru br mx ar ch se no dk fi pl be ie pt gr
cz hu ro sk za il tr ua at
"""
TLDS = frozenset(_TLD_LIST.split())

_EMAIL = re.compile(r"(?i)[a-z0-9](?:[a-z0-9._%+-]{0,62}[a-z0-9])?@"
                    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})")


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(digits: str) -> bool:
    """13-19 digits (ISO/IEC 7812) passing Luhn, not all one digit (0000..., 1111...)."""
    return 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1


def iban_ok(compact: str) -> bool:
    """Country code, the country's length, and the ISO 7064 mod-97 check."""
    code = compact[:2]
    if IBAN_LENGTHS.get(code) != len(compact) or not compact[2:4].isdigit() \
            or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ssn_ok(digits: str) -> bool:
    """A US SSN the SSA could have issued: area not 000, 666 or 9xx; group not 00; serial
    not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" \
        and serial != "0000"


def nanp_ok(digits: str) -> bool:
    """A North American number: 10 digits, or 11 with the country code 1; the area code and
    the exchange start with 2-9 ("555-123-4567" passes the area, not the exchange rule:
    fictional numbers are still phone numbers, so the exchange is not checked)."""
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return len(digits) == 10 and digits[0] not in "01"


def e164_ok(digits: str) -> bool:
    """International digits after "+": 8-15, no leading 0."""
    return 8 <= len(digits) <= 15 and digits[0] != "0"


def email_ok(address: str, *, known_tld: bool = False) -> bool:
    """An address of the usual shape; `known_tld` also requires a top-level domain of TLDS
    (for spoken addresses, where "at" and "dot" are ordinary words too)."""
    match = _EMAIL.fullmatch(address)
    return match is not None and ".." not in address \
        and (not known_tld or match.group(1).lower() in TLDS)


def ip_ok(candidate: str) -> str | None:
    """The canonical form of an IPv4 or IPv6 address, or None."""
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
