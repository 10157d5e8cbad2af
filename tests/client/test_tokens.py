"""Single-use token minting against a mocked HTTP transport (protocol doc §8)."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from scribe_desktop.client import (
    ApiKeyAuth,
    AuthError,
    Endpoint,
    StaticTokenAuth,
    TokenAuth,
    TokenMintError,
    TokenRejectedError,
    mint_token,
)
from scribe_desktop.protocol.options import Region

ENDPOINT = Endpoint("http://127.0.0.1:9")


def client_for(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_mint_posts_the_key_and_returns_the_token():
    """A 200 answer's token is returned; the key goes in the xi-api-key header."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"token": "sutkn_abc"})

    async with client_for(handler) as http:
        assert await mint_token("sk_1", ENDPOINT, http_client=http) == "sutkn_abc"
    assert seen[0].method == "POST"
    assert str(seen[0].url) == "http://127.0.0.1:9/v1/single-use-token/realtime_scribe"
    assert seen[0].headers["xi-api-key"] == "sk_1"


async def test_region_endpoint_uses_the_region_host():
    """A regional endpoint mints at that region's https host."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"token": "t"})

    async with client_for(handler) as http:
        await mint_token("k", Endpoint(region=Region.EU), http_client=http)
    assert seen == ["https://api.eu.residency.elevenlabs.io/v1/single-use-token/realtime_scribe"]


@pytest.mark.parametrize("status", [401, 403])
async def test_rejected_key_raises_an_auth_error_with_the_detail(status):
    """HTTP 401/403 raise TokenRejectedError, an AuthError, carrying the server's detail."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"detail": {"status": "invalid_api_key",
                                                       "message": "Invalid API key"}})

    async with client_for(handler) as http:
        with pytest.raises(AuthError, match="Invalid API key") as info:
            await mint_token("bad", ENDPOINT, http_client=http)
    assert isinstance(info.value, TokenRejectedError)
    assert info.value.status == status and info.value.fatal


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (httpx.Response(500, text="boom"), "HTTP 500: boom"),
        (httpx.Response(422, json={"detail": "bad token type"}), "bad token type"),
        (httpx.Response(200, json={"nope": 1}), "no 'token'"),
        (httpx.Response(200, text="not json"), "no 'token'"),
        (httpx.Response(200, json=["token"]), "no 'token'"),
    ],
)
async def test_other_failures_raise_token_mint_error(response, match):
    """Non-auth HTTP failures and malformed answers raise TokenMintError naming the URL."""
    async with client_for(lambda request: response) as http:
        with pytest.raises(TokenMintError, match=match) as info:
            await mint_token("k", ENDPOINT, http_client=http)
    assert "127.0.0.1:9" in str(info.value)


async def test_network_failure_raises_token_mint_error():
    """A transport error raises TokenMintError rather than an httpx exception."""
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    async with client_for(handler) as http:
        with pytest.raises(TokenMintError, match="refused"):
            await mint_token("k", ENDPOINT, http_client=http)


async def test_refused_port_raises_token_mint_error():
    """A real refused connection raises TokenMintError naming the URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TokenMintError, match=re.escape(f"127.0.0.1:{port}")):
        await mint_token("k", Endpoint(f"http://127.0.0.1:{port}"), timeout_s=3)


def test_secrets_are_hidden_from_repr():
    """Auth objects never show their secret in repr()."""
    for auth in (ApiKeyAuth("sk_secret"), TokenAuth("sk_secret"), StaticTokenAuth("sk_secret")):
        assert "sk_secret" not in repr(auth)
