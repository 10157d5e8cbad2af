"""npm @elevenlabs/client 1.25.0 (Node, native WebSocket) drives the local server (§12, §15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conformance.conftest import NodeRun, ServerInfo, make_speech, run_node
from tests.conformance.expectations import check_rejected, check_transcript_flow

pytestmark = [pytest.mark.slow, pytest.mark.conformance]

SCRIPT = "scribe_client.mjs"
FLAGS = ("--experimental-websocket",)  # Node 20 has no global WebSocket without it (§15.3)


def run_client(node: str, server: ServerInfo, *args: str) -> NodeRun:
    return run_node(node, SCRIPT, server, *args, node_flags=FLAGS)


@pytest.mark.parametrize("auth", ["secret-as-token", "minted-token"])
def test_manual_audio_is_transcribed(node_bin: str, local_server: ServerInfo, auth: str) -> None:
    """Manual-mode speech yields partials, then the commit and its words, then a clean close."""
    speech = make_speech("open the door and turn on the kitchen lights")
    creds = (["--token", local_server.secret] if auth == "secret-as-token"
             else ["--mint", "--api-key", local_server.secret])
    run = run_client(node_bin, local_server, *creds, "--audio", str(speech.wav))
    assert run.returncode == 0, run.describe()
    check_transcript_flow(run.events, speech.text, speech.seconds, run.describe())
    close = run.events[-1][1]
    assert (close["code"], close["wasClean"]) == (1000, True), run.describe()


def test_every_connect_option_and_previous_text_are_accepted(node_bin: str,
                                                            local_server: ServerInfo) -> None:
    """Every optional connect parameter and a first-chunk previous_text are accepted (S1, S3)."""
    speech = make_speech("open the door and turn on the kitchen lights")
    extra = {"languageCode": "en", "keyterms": ["kitchen", "door"], "secondaryLanguages": ["de"],
             "vadSilenceThresholdSecs": 1.2, "vadThreshold": 0.5, "minSpeechDurationMs": 120,
             "minSilenceDurationMs": 150, "noVerbatim": True, "enableLogging": False,
             "includeLanguageDetection": True}
    run = run_client(node_bin, local_server, "--token", local_server.secret,
                     "--audio", str(speech.wav), "--previous-text", "turn the lights",
                     "--connect-json", json.dumps(extra))
    assert run.returncode == 0, run.describe()
    check_transcript_flow(run.events, speech.text, speech.seconds, run.describe())


def test_microphone_mode_is_transcribed(node_bin: str, local_server: ServerInfo) -> None:
    """Speech from a fake microphone (no audio_format in the URL) is transcribed the same way."""
    speech = make_speech("please call me back tomorrow morning")
    run = run_client(node_bin, local_server, "--mode", "microphone", "--token",
                     local_server.secret, "--audio", str(speech.wav))
    assert run.returncode == 0, run.describe()
    check_transcript_flow(run.events, speech.text, speech.seconds + 0.3, run.describe())
    started = dict(run.events)["session_started"]
    config = started.get("config") or {}
    # §4: without audio_format the server's default is pcm_16000.
    assert config.get("audio_format", "pcm_16000") == "pcm_16000", started


def test_bad_model_id_gets_invalid_request_and_1008(node_bin: str,
                                                    local_server: ServerInfo) -> None:
    """An unknown model_id is answered in-band with invalid_request, then close 1008 (B3, S6)."""
    run = run_client(node_bin, local_server, "--token", local_server.secret,
                     "--model-id", "scribe_realtime_v2", "--expect", "close")
    assert run.returncode == 0, run.describe()
    check_rejected(run.events, "invalid_request", run.describe())
    close = run.events[-1][1]
    assert (close["code"], close["reason"]) == (1008, "invalid_request"), run.describe()


def test_wrong_token_gets_auth_error(node_bin: str, local_server: ServerInfo) -> None:
    """A wrong token is answered in-band with auth_error after the upgrade, then a close (S6)."""
    run = run_client(node_bin, local_server, "--token", "sutkn_not-a-valid-token",
                     "--expect", "close")
    assert run.returncode == 0, run.describe()
    check_rejected(run.events, "auth_error", run.describe())


def test_short_commit_gets_commit_throttled(node_bin: str, local_server: ServerInfo,
                                            tmp_path: Path) -> None:
    """A commit after only 0.1 s of audio gets commit_throttled, then close 1000 (S4)."""
    short = tmp_path / "short.pcm"
    short.write_bytes(bytes(3200))  # 0.1 s of 16 kHz s16le silence, raw
    run = run_client(node_bin, local_server, "--token", local_server.secret, "--audio", str(short),
                     "--wait-partial-s", "0", "--expect", "close")
    assert run.returncode == 0, run.describe()
    names = run.names()
    assert "session_started" in names and "commit_throttled" in names, run.describe()
    throttled = dict(run.events)["commit_throttled"]
    assert set(throttled) == {"message_type", "error"}, run.describe()
    assert "committed_transcript" not in names, run.describe()
    close = run.events[-1]
    assert close[0] == "close", run.describe()
    assert (close[1]["code"], close[1]["reason"]) == (1000, "commit_throttled"), run.describe()
