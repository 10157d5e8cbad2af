"""entity_redaction, entity_redaction_mode, transcript_edit and redacted_transcript (§4, §6.8)."""

from __future__ import annotations

import json

import pytest

from scribe_desktop.protocol import (
    EntityRedactionMode,
    OptionsError,
    RedactedTranscript,
    SessionOptions,
    decode_server_message,
    encode_server_message,
    parse_query,
)


def parse(query: str) -> SessionOptions:
    return SessionOptions.from_query(parse_query("model_id=scribe_v2_realtime&" + query))


def test_redaction_options_round_trip_through_the_query() -> None:
    """Repeated and comma forms of entity_redaction, and the mode, survive to_query/from_query."""
    opts = parse("entity_redaction=pii&entity_redaction=email_address,pci"
                 "&entity_redaction_mode=entity_type")
    assert opts.entity_redaction == ("pii", "email_address", "pci")
    assert opts.entity_redaction_mode is EntityRedactionMode.ENTITY_TYPE
    assert SessionOptions.from_query(opts.to_query()) == opts


def test_redaction_mode_defaults_to_enumerated_entity_type() -> None:
    """Without entity_redaction_mode the effective mode is enumerated_entity_type (§4)."""
    assert parse("entity_redaction=all").effective_entity_redaction_mode \
        is EntityRedactionMode.ENUMERATED_ENTITY_TYPE


def test_unknown_redaction_mode_is_invalid() -> None:
    """An unknown entity_redaction_mode names the allowed values."""
    with pytest.raises(OptionsError, match="redacted, entity_type, enumerated_entity_type"):
        parse("entity_redaction=all&entity_redaction_mode=blackout")


@pytest.mark.parametrize("other", ["entity_redaction=pii", "entity_detection=pii"])
def test_transcript_edit_cannot_be_combined_with_entities(other: str) -> None:
    """transcript_edit with entity_redaction or entity_detection is an invalid request."""
    with pytest.raises(OptionsError, match="transcript_edit cannot be combined with entity_"):
        parse(f"transcript_edit=fix+grammar&{other}")


def test_transcript_edit_alone_is_accepted_up_to_2000_characters() -> None:
    """transcript_edit is accepted alone; longer than 2000 characters it is refused."""
    assert parse("transcript_edit=remove+fillers").transcript_edit == "remove fillers"
    with pytest.raises(OptionsError, match="at most 2000"):
        parse("transcript_edit=" + "x" * 2001)


def test_redacted_transcript_encodes_and_decodes() -> None:
    """redacted_transcript has text and redacted_text; decoding is lenient about text."""
    msg = RedactedTranscript("mail john@example.com", "mail {EMAIL_ADDRESS_1}")
    wire = encode_server_message(msg)
    assert json.loads(wire) == {"message_type": "redacted_transcript",
                                "text": "mail john@example.com",
                                "redacted_text": "mail {EMAIL_ADDRESS_1}"}
    assert decode_server_message(wire) == msg
    assert decode_server_message('{"message_type":"redacted_transcript","redacted_text":"x",'
                                 '"extra":1}') == RedactedTranscript("", "x")
