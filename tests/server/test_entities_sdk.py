"""The official Python client (`elevenlabs` 2.78) receives entities and redactions of real
speech from the local server.

Pocketsphinx with its general language model mangles spoken addresses and digit strings
("john at example dot com" -> "donna example dot com"), so two tests cover the path:

* the real engine constrained by a JSGF grammar of dictated phone numbers and addresses (the
  server app in this process, real WebSocket, the SDK), where the spoken entities come out
  exactly and the test checks their types, spans and placeholders;
* the real server subprocess with its default engine, where the test checks that every
  committed transcript is followed by entities and a redaction matching what the detector
  finds in the text the engine actually wrote.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from elevenlabs import AsyncElevenLabs, AudioFormat, CommitStrategy, RealtimeAudioOptions

from scribe_desktop.protocol.options import EntityRedactionMode
from scribe_desktop.server.app import serve
from scribe_desktop.server.config import ServerConfig
from scribe_desktop.server.engines.pocketsphinx_engine import PocketsphinxEngine
from scribe_desktop.server.entities import Enumerator, detect, redact, select
from tests.conformance.test_elevenlabs_python import Recorder
from tests.conftest import RunningServer
from tests.speech import pcm16, synth

pytestmark = pytest.mark.slow

CHUNK_BYTES = 3200  # 100 ms
STEP_TIMEOUT_S = 60.0

GRAMMAR = """#JSGF V1.0;
grammar dictation;
public <utterance> = <part> [and <part>];
<part> = my phone number is <phone> | call me on <phone> | my email is <email>
       | write to <email>;
<digit> = zero | oh | one | two | three | four | five | six | seven | eight | nine;
<phone> = <digit> <digit> <digit> <digit> <digit> <digit> <digit> <digit> <digit> <digit>;
<email> = <name> [dot <name>] at <domain> dot (com | org | net);
<name> = john | smith | anna | lee | maria | garcia;
<domain> = example | gmail | company | mail;
"""


@dataclass
class Endpoint:
    base_url: str
    secret: str


@asynccontextmanager
async def grammar_server(tmp_path: Path) -> AsyncIterator[Endpoint]:
    """The server app with pocketsphinx held to GRAMMAR, serving in this event loop."""
    grammar = tmp_path / "dictation.jsgf"
    grammar.write_text(GRAMMAR)
    engine = await asyncio.to_thread(lambda: PocketsphinxEngine(
        decoder_options={"jsgf": str(grammar), "lm": None}))
    ready: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(ServerConfig(secret="grammar-secret"), engine,
                                     on_ready=ready.set_result, stop=stop))
    try:
        event = await asyncio.wait_for(asyncio.shield(ready), STEP_TIMEOUT_S)
        yield Endpoint(event["base_url"], event["secret"])
    finally:
        stop.set()
        await asyncio.wait_for(task, STEP_TIMEOUT_S)
        engine.close()


async def dictate(server: Endpoint | RunningServer, text: str, **entity_options: Any
                  ) -> Recorder:
    """One SDK session: `text` spoken by espeak-ng, one commit, until the entity messages."""
    client = AsyncElevenLabs(api_key=server.secret, base_url=server.base_url)
    opts = cast(RealtimeAudioOptions, {
        "model_id": "scribe_v2_realtime", "audio_format": AudioFormat.PCM_16000,
        "sample_rate": 16000, "commit_strategy": CommitStrategy.MANUAL,
        "include_timestamps": True, **entity_options})
    conn = await client.speech_to_text.realtime.connect(opts)
    rec = Recorder()
    rec.attach(conn)
    assert await rec.wait("session_started", "close") == "session_started", rec.names()
    pcm = pcm16(synth(text, lead_silence_s=0.2, tail_silence_s=0.5))
    for i in range(0, len(pcm), CHUNK_BYTES):
        await conn.send({"audio_base_64": base64.b64encode(pcm[i:i + CHUNK_BYTES]).decode()})
    await conn.commit()
    last = "redacted_transcript" if "entity_redaction" in entity_options \
        else "committed_transcript_entities"
    assert await rec.wait(last, "close", within_s=STEP_TIMEOUT_S) == last, rec.names()
    await conn.close()
    return rec


def payloads(rec: Recorder, name: str) -> list[dict[str, Any]]:
    return [data for event, data in rec.events if event == name]


async def test_sdk_receives_typed_entities_and_redaction_of_dictated_speech(tmp_path: Path
                                                                           ) -> None:
    """A dictated phone number and e-mail address reach the SDK as contact_number and
    email_address entities, and as numbered placeholders in redacted_transcript."""
    said = ("my phone number is five five five one two three four five six seven and my email "
            "is john dot smith at example dot com")
    async with grammar_server(tmp_path) as server:
        rec = await dictate(server, said, entity_detection="pii", entity_redaction=["pii"])
    (committed,) = payloads(rec, "committed_transcript")
    text = committed["text"]
    assert text == said  # the grammar makes the engine exact
    (entities,) = payloads(rec, "committed_transcript_entities")
    assert entities["text"] == text
    got = [(e["entity_type"], text[e["start_char"]:e["end_char"]], e["text"])
           for e in entities["entities"]]
    assert got == [
        ("contact_number", "five five five one two three four five six seven",
         "five five five one two three four five six seven"),
        ("email_address", "john dot smith at example dot com",
         "john dot smith at example dot com")]
    (redacted,) = payloads(rec, "redacted_transcript")
    assert redacted == {"message_type": "redacted_transcript", "text": text,
                        "redacted_text": "my phone number is {CONTACT_NUMBER_1} and my email "
                                         "is {EMAIL_ADDRESS_1}"}
    names = rec.names()
    assert names.index("committed_transcript") < names.index(
        "committed_transcript_with_timestamps") < names.index(
        "committed_transcript_entities") < names.index("redacted_transcript")


async def test_sdk_entities_match_what_the_default_engine_wrote(local_server: RunningServer
                                                                ) -> None:
    """With the default engine, entities and redaction follow the commit and agree with the
    detector on the engine's actual text, which names a phone number."""
    rec = await dictate(local_server, "please call five five five one two three four",
                        entity_detection=["contact_number", "email_address"],
                        entity_redaction="all", entity_redaction_mode="entity_type")
    (committed,) = payloads(rec, "committed_transcript")
    text = committed["text"]
    (entities,) = payloads(rec, "committed_transcript_entities")
    expected = detect(text, select(["contact_number", "email_address"]))
    assert [(e["entity_type"], e["start_char"], e["end_char"]) for e in entities["entities"]] \
        == [(f.type.name, f.start, f.end) for f in expected], text
    assert "contact_number" in {e["entity_type"] for e in entities["entities"]}, text
    (redacted,) = payloads(rec, "redacted_transcript")
    assert redacted["redacted_text"] == redact(text, detect(text, select(["all"])),
                                               EntityRedactionMode.ENTITY_TYPE, Enumerator())
    for f in expected:
        assert text[f.start:f.end] not in redacted["redacted_text"]
