"""Single-use token minting over HTTP (protocol doc §8).

`POST {base}/v1/single-use-token/realtime_scribe` with `xi-api-key` returns `{"token": ...}`.
Runs on the caller's asyncio loop; safe to cancel (the request is abandoned).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..protocol.options import token_url
from .auth import Endpoint
from .errors import TokenMintError, TokenRejectedError

DEFAULT_TOKEN_TIMEOUT_S = 10.0


def _detail(response: httpx.Response) -> str:
    """The server's explanation: ElevenLabs nests it as {"detail": {"message": ...}}."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text.strip()[:300]
    if isinstance(body, dict):
        detail = body.get("detail", body.get("error", body.get("message")))
        if isinstance(detail, dict):
            detail = detail.get("message", detail)
        if detail is not None:
            return str(detail)[:300]
    return str(body)[:300]


async def mint_token(api_key: str, endpoint: Endpoint, *,
                     timeout_s: float = DEFAULT_TOKEN_TIMEOUT_S,
                     http_client: httpx.AsyncClient | None = None) -> str:
    """A fresh single-use realtime token. HTTP 401/403 raise `TokenRejectedError` (an
    `AuthError`) with the server's detail; anything else raises `TokenMintError`."""
    url = token_url(base_url=endpoint.base_url, region=endpoint.region)
    headers = {"xi-api-key": api_key}
    try:
        if http_client is None:
            async with httpx.AsyncClient(timeout=timeout_s) as client:
                response = await client.post(url, headers=headers)
        else:
            response = await http_client.post(url, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException as exc:  # chained: the app explains the cause (timeout)
        raise TokenMintError(url, f"no answer within {timeout_s:g} s") from exc
    except httpx.HTTPError as exc:
        raise TokenMintError(url, f"{type(exc).__name__}: {exc}") from exc
    if response.status_code in (401, 403):
        raise TokenRejectedError(url, response.status_code, _detail(response))
    if response.status_code != 200:
        raise TokenMintError(url, f"HTTP {response.status_code}: {_detail(response)}",
                             response.status_code)
    try:
        token = response.json().get("token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise TokenMintError(url, "the response has no 'token' string", response.status_code)
    return token
