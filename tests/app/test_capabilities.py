"""What a backend's engine can do, from the local server's ready line or the cloud's list,
languages by name, and the network causes the error table tells apart (pure, fast)."""

from __future__ import annotations

import errno
import socket
import ssl
from typing import Any

import pytest

from scribe_desktop.client.errors import ConnectError, TokenMintError
from scribe_desktop.connect import CLOUD, POCKETSPHINX, Capabilities, UnsupportedLanguageError
from scribe_desktop.protocol.languages import SCRIBE_LANGUAGES, canonical, label, language_name
from scribe_desktop.protocol.options import SessionOptions
from scribe_desktop.session.network_errors import NetworkCause, network_failure
from scribe_desktop.session.user_errors import AppErrorKind, user_error_for


def test_a_ready_line_without_engine_keys_is_pocketsphinx_english_only() -> None:
    """Today's local server says nothing of its engine: English, no optional settings."""
    caps = Capabilities.from_ready({"event": "ready", "base_url": "ws://x", "port": 1})
    assert caps is POCKETSPHINX
    assert caps.supports_language("en") and caps.supports_language(None)
    assert not caps.supports_language("de")
    assert caps.unsupported_reason("keyterms") == \
        "The local engine (pocketsphinx) does not use key terms."
    with pytest.raises(UnsupportedLanguageError, match=r"German \(de\)"):
        caps.check(SessionOptions(language_code="de"))


def test_a_whisper_ready_line_declares_its_languages_and_features() -> None:
    """The keys a Whisper engine adds are read: engine, model, languages, features."""
    ready: dict[str, Any] = {"event": "ready", "engine": "whisper", "model": "small",
                             "languages": ["en", "deu", "fr", "fr"],
                             "features": ["keyterms", "bogus"]}
    caps = Capabilities.from_ready(ready)
    assert caps.engine == "Whisper small" and caps.model == "small"
    assert caps.languages == ("en", "de", "fr") and caps.detects_language
    assert caps.supports("keyterms") and not caps.supports("no_verbatim")
    assert caps.supports_language("deu") and not caps.supports_language("ja")


def test_the_cloud_takes_the_scribe_languages_by_name() -> None:
    """ElevenLabs lists the 99 Scribe languages; names and both code forms agree."""
    assert len(SCRIBE_LANGUAGES) == 99 and CLOUD.languages == SCRIBE_LANGUAGES
    assert label("deu") == label("de") == "German (de)"
    assert label("ast") == "Asturian (ast)" and canonical("ENG") == "en"
    assert language_name("haw") == "Hawaiian"  # a Whisper code Scribe does not list
    assert label("xx") == "xx"
    assert all(CLOUD.supports(f) for f in ("keyterms", "no_verbatim", "model_id"))


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(("inner", "cause"), [
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
     NetworkCause.NO_NETWORK),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
     NetworkCause.HOST_NOT_FOUND),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), NetworkCause.NO_NETWORK),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), NetworkCause.REFUSED),
    (ssl.SSLCertVerificationError(1, "certificate verify failed"), NetworkCause.TLS),
    (TimeoutError(), NetworkCause.TIMEOUT),
])
def test_network_causes_are_read_from_the_exception_chain(inner: OSError,
                                                          cause: NetworkCause) -> None:
    """Whatever wraps the OS error (httpx, websockets), its cause is found."""
    wrapped = _chained(ConnectError("wss://api.elevenlabs.io/v1/x?token=***", "failed"),
                       _chained(RuntimeError("httpcore"), inner))
    failure = network_failure(wrapped, "wss://api.elevenlabs.io/v1/x")
    assert failure is not None and failure.cause == cause
    assert failure.host == "api.elevenlabs.io"
    assert user_error_for(wrapped).kind == AppErrorKind(cause.value)


def test_a_token_request_without_dns_is_a_network_error_not_a_token_error() -> None:
    """Finding 2: the single-use token request failing on DNS names the host and the fix."""
    exc = _chained(TokenMintError("https://api.elevenlabs.io/v1/single-use-token/x",
                                  "ConnectError: [Errno -3] Temporary failure"),
                   socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"))
    error = user_error_for(exc)
    assert error.kind == AppErrorKind.NO_NETWORK and error.title == "No network"
    assert "no working network connection" in error.message
    assert "single-use" not in error.message and error.settings_field == "backend"
