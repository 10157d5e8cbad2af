"""Single-use tokens (§8) and the authentication check of an upgrade (§3)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable

TOKEN_PREFIX = "sutkn_"


class TokenStore:
    """Mints tokens that expire after `ttl_s` and can be consumed once. Thread-safe."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def mint(self) -> str:
        token = TOKEN_PREFIX + secrets.token_hex(16)
        with self._lock:
            self._purge()
            self._expiry[token] = self._clock() + self._ttl_s
        return token

    def consume(self, token: str) -> bool:
        """True if `token` was minted here, is unexpired and unused; it is used up either way."""
        with self._lock:
            self._purge()
            return self._expiry.pop(token, None) is not None

    def _purge(self) -> None:
        now = self._clock()
        for token in [t for t, expiry in self._expiry.items() if expiry <= now]:
            del self._expiry[token]


def same_secret(given: str | None, secret: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


def authenticate(*, secret: str, tokens: TokenStore, header_key: str | None,
                 query_token: str | None) -> bool:
    """Token precedence (§3): when a token is given only the token is checked, and a minted
    token is consumed by the attempt."""
    if query_token is not None:
        return same_secret(query_token, secret) or tokens.consume(query_token)
    return same_secret(header_key, secret)
