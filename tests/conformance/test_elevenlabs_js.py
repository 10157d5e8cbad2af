"""npm @elevenlabs/elevenlabs-js 2.73.0 (Node, `ws`) drives the local server (§13, §15.7)."""

from __future__ import annotations

import pytest

from tests.conformance.conftest import NodeRun, ServerInfo, make_speech, run_node
from tests.conformance.expectations import check_rejected, check_transcript_flow

pytestmark = [pytest.mark.slow, pytest.mark.conformance]

SCRIPT = "elevenlabs_js.mjs"


def run_sdk(node: str, server: ServerInfo, *args: str) -> NodeRun:
    return run_node(node, SCRIPT, server, *args)


def ws_close(run: NodeRun) -> dict[str, object]:
    closes = [d for n, d in run.harness if n == "ws_close"]
    assert closes, run.describe()
    close: dict[str, object] = closes[-1]
    return close


@pytest.mark.parametrize("auth", ["xi-api-key", "minted-token"])
def test_manual_audio_is_transcribed(node_bin: str, local_server: ServerInfo, auth: str) -> None:
    """The SDK streams real speech and receives partials, the commit and its words."""
    speech = make_speech("please call me back tomorrow morning")
    creds = ["--api-key", local_server.secret] + (["--mint"] if auth == "minted-token" else [])
    run = run_sdk(node_bin, local_server, *creds, "--audio", str(speech.wav))
    assert run.returncode == 0, run.describe()
    check_transcript_flow(run.events, speech.text, speech.seconds, run.describe())
    # The SDK's close() sends no status code (§7), so the server echoes 1005 (or answers 1000).
    assert ws_close(run)["code"] in (1000, 1005), run.describe()


def test_wrong_api_key_gets_auth_error(node_bin: str, local_server: ServerInfo) -> None:
    """A wrong xi-api-key header is answered in-band with auth_error, then a close (§3, S6)."""
    run = run_sdk(node_bin, local_server, "--api-key", "not-the-secret", "--expect", "close")
    assert run.returncode == 0, run.describe()
    check_rejected(run.events, "auth_error", run.describe())


def test_bad_model_id_gets_invalid_request_and_1008(node_bin: str,
                                                    local_server: ServerInfo) -> None:
    """An unknown model_id is answered with invalid_request, then close 1008 (B3, S6)."""
    run = run_sdk(node_bin, local_server, "--api-key", local_server.secret,
                  "--model-id", "scribe_realtime_v2", "--expect", "close")
    assert run.returncode == 0, run.describe()
    check_rejected(run.events, "invalid_request", run.describe())
    assert ws_close(run) == {"code": 1008, "reason": "invalid_request"}, run.describe()
