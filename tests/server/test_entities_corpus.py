"""Entity detection on a corpus of transcripts: what engines write, with and without entities."""

from __future__ import annotations

import datetime as dt

import pytest

from scribe_desktop.server.entities import SUPPORTED, detect, select

TODAY = dt.date(2026, 6, 1)

# (transcript, [(entity text, entity_type), ...]): written forms as Whisper-like engines write
# them, spoken forms as pocketsphinx (lower case, no punctuation) or a dictating person does
CORPUS: list[tuple[str, list[tuple[str, str]]]] = [
    # e-mail addresses
    ("My email is john@example.com.", [("john@example.com", "email_address")]),
    ("Write to Jane.Doe+news@mail.example.co.uk, please.",
     [("Jane.Doe+news@mail.example.co.uk", "email_address")]),
    ("my email is john dot smith at example dot com",
     [("john dot smith at example dot com", "email_address")]),
    ("send it to anna underscore lee at gmail dot com today",
     [("anna underscore lee at gmail dot com", "email_address")]),
    ("mail jim at company dot org", [("jim at company dot org", "email_address")]),
    ("reach me at john.smith at example.com", [("john.smith at example.com",
                                               "email_address")]),
    ("look at amazon dot com", []),
    ("meet me at noon", []),
    ("we arrived at the station at five", []),
    ("the period of the contract ends at the end of the month", []),
    # phone numbers
    ("Call me at 555-123-4567.", [("555-123-4567", "contact_number")]),
    ("My number is (555) 123-4567.", [("(555) 123-4567", "contact_number")]),
    ("Dial 1-800-555-1212 now.", [("1-800-555-1212", "contact_number")]),
    ("Our London office is +44 20 7946 0958.", [("+44 20 7946 0958", "contact_number")]),
    ("call me at five five five one two three four five six seven",
     [("five five five one two three four five six seven", "contact_number")]),
    ("the number is eight hundred five five five one two one two",
     [("eight hundred five five five one two one two", "contact_number")]),
    ("call me on five five five double one two three four five six",
     [("five five five double one two three four five six", "contact_number")]),
    ("my phone number is 555-1234", [("555-1234", "contact_number")]),
    ("room 204 555-123-4567", [("555-123-4567", "contact_number")]),
    ("call me at five", []),
    ("I have three kids and two dogs", []),
    ("the order total was 1234567890 units", []),
    ("we sold 555 1234 units", []),
    # payment cards
    ("My card is 4111 1111 1111 1111.", [("4111 1111 1111 1111", "payment_card_number")]),
    ("Card number 4242-4242-4242-4242, expiry next year.",
     [("4242-4242-4242-4242", "payment_card_number")]),
    ("Amex 3782 822463 10005 is on file.", [("3782 822463 10005", "payment_card_number")]),
    ("four one one one one one one one one one one one one one one one",
     [("four one one one one one one one one one one one one one one one",
       "payment_card_number")]),
    ("my card is 4111 1111 1111 1112", []),
    ("four one one one one one one one one one one one one one one two", []),
    ("the tracking number is 1234567890123456", []),
    ("0000 0000 0000 0000", []),
    # IBANs
    ("My IBAN is DE89 3704 0044 0532 0130 00.",
     [("DE89 3704 0044 0532 0130 00", "bank_account_number")]),
    ("Pay GB82WEST12345698765432 by Friday.",
     [("GB82WEST12345698765432", "bank_account_number")]),
    ("d e eight nine three seven zero four zero zero four four zero five three two zero one "
     "three zero zero zero", [("d e eight nine three seven zero four zero zero four four zero "
                                "five three two zero one three zero zero zero",
                                "bank_account_number")]),
    ("The code is DE89 3704 0044 0532 0130 01.", []),
    ("Flight BA12 3456 7890 leaves at nine.", []),
    # SSNs
    ("My social security number is 123-45-6789.", [("123-45-6789", "government_issued_id")]),
    ("SSN: 078 05 1120", [("078 05 1120", "government_issued_id")]),
    ("my social security number is one two three four five six seven eight nine",
     [("one two three four five six seven eight nine", "government_issued_id")]),
    ("The code was 666-12-3456.", []),
    ("The code was 900-12-3456.", []),
    ("My social security number is 123-00-6789.", []),
    ("Invoice 123456789 is overdue.", []),
    # IP addresses
    ("The server is at 192.168.1.10.", [("192.168.1.10", "device_id")]),
    ("Use 2001:db8::8a2e:370:7334 for IPv6.", [("2001:db8::8a2e:370:7334", "device_id")]),
    ("connect to one nine two dot one six eight dot one dot one",
     [("one nine two dot one six eight dot one dot one", "device_id")]),
    ("We shipped version 1.2.3.4 yesterday.", []),
    ("The meeting is at 10:30:45.", []),
    ("Pi is 3.14159 and e is 2.71828.", []),
    ("Address 300.1.1.1 does not exist.", []),
    # URLs
    ("See https://example.com/docs?page=2.", [("https://example.com/docs?page=2", "url")]),
    ("Visit www.example.com or example.org today.",
     [("www.example.com", "url"), ("example.org", "url")]),
    ("go to w w w dot example dot com", [("w w w dot example dot com", "url")]),
    ("the website is example dot com slash pricing",
     [("example dot com slash pricing", "url")]),
    ("Run setup.py and read notes.txt.", []),
    ("the dot com bubble burst", []),
    ("e.g. this and i.e. that", []),
    # dates of birth
    ("I was born on the 12th of July 1987.", [("12th of July 1987", "dob")]),
    ("Date of birth: 07/12/1987.", [("07/12/1987", "dob")]),
    ("DOB 1987-07-12", [("1987-07-12", "dob")]),
    ("my birthday is july fourth", [("july fourth", "dob")]),
    ("i was born on july twelfth nineteen eighty seven",
     [("july twelfth nineteen eighty seven", "dob")]),
    ("born march third two thousand and five",
     [("march third two thousand and five", "dob")]),
    ("The meeting is on July 12, 1987.", []),
    ("We met on 07/12/1987.", []),
    ("I was born in 1987.", []),
    ("She was born on February 30th 1990.", []),
    ("He was born on the 1st of January 2090.", []),
    # several at once, and nothing at all
    ("My name is Jill. My date of birth is the 12th of July 1987, and my credit card number "
     "is 4242-4242-4242-4242.", [("12th of July 1987", "dob"),
                                  ("4242-4242-4242-4242", "payment_card_number")]),
    ("email john at example dot com or call five five five one two three four five six seven",
     [("john at example dot com", "email_address"),
      ("five five five one two three four five six seven", "contact_number")]),
    ("", []),
    ("turn off the music in the living room", []),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[c[0][:48] for c in CORPUS])
def test_corpus(text: str, expected: list[tuple[str, str]]) -> None:
    """Each transcript yields exactly its entities, with spans into the original text."""
    found = detect(text, SUPPORTED, today=TODAY)
    got = [(text[f.start:f.end], f.type.name) for f in found]
    assert got == expected


def test_spoken_and_written_forms_have_the_same_value() -> None:
    """A spoken entity normalises to the value of its written form."""
    pairs = [("john dot smith at example dot com", "john.smith@example.com"),
             ("five five five one two three four five six seven", "555-123-4567"),
             ("four two four two four two four two four two four two four two four two",
              "4242 4242 4242 4242"),
             ("one nine two dot one six eight dot one dot one", "192.168.1.1"),
             ("born on july twelfth nineteen eighty seven", "born on 07/12/1987")]
    for spoken, written in pairs:
        (a,) = detect(spoken, SUPPORTED, today=TODAY)
        (b,) = detect(written, SUPPORTED, today=TODAY)
        assert (a.type, a.value) == (b.type, b.value)


@pytest.mark.parametrize(("requested", "names"), [
    (["all"], {t.name for t in SUPPORTED}),
    (["pii"], {"email_address", "contact_number", "payment_card_number",
               "bank_account_number", "government_issued_id", "device_id", "dob"}),
    (["pci"], {"payment_card_number"}),
    (["phi"], {"email_address", "contact_number", "bank_account_number",
               "government_issued_id", "device_id", "url", "dob"}),
    (["other"], {"url"}),
    (["offensive_language"], set()),
    (["financial_id"], {"payment_card_number", "bank_account_number"}),
    (["financial_id.payment_card.payment_card_number"], {"payment_card_number"}),
    (["credit_card", "EMAIL_ADDRESS"], {"payment_card_number", "email_address"}),
    (["name", "medical", "no_such_type"], set()),
])
def test_requests_select_types(requested: list[str], names: set[str]) -> None:
    """Categories, paths, parts and aliases select types; unknown names select nothing."""
    assert {t.name for t in select(requested)} == names


def test_only_requested_types_are_reported() -> None:
    """A request for phone numbers alone reports no part of a card number as a phone."""
    text = "card 4111 1111 1111 1111, phone 555-123-4567, mail a@b.com"
    found = detect(text, select(["contact_number"]), today=TODAY)
    assert [(text[f.start:f.end], f.type.name) for f in found] == [
        ("555-123-4567", "contact_number")]
