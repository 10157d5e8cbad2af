"""Secrets out of text: every registered secret (the API key, a local server's secret) and
any `xi-api-key` / `token=` / `api_key=` value becomes `***`. Used by the log file and by
every message the command line prints that could carry server or connection text. Pure."""

from __future__ import annotations

import re
import threading

# header or query forms a secret may take in a URL, a repr or a message
_PATTERNS = (
    re.compile(r"(?i)(xi-api-key['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}&]+)"),
    re.compile(r"(?i)([?&]token=)([^&\s'\"]+)"),
    re.compile(r"(?i)(api_key=['\"]?)([^'\"\s,)]+)"),
)
_MIN_SECRET_CHARS = 4  # never redact tiny strings (they would mangle ordinary text)


class Redactor:
    """Known secrets and secret-shaped patterns -> `***`. Thread-safe."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str | None) -> None:
        if secret and len(secret.strip()) >= _MIN_SECRET_CHARS:
            with self._lock:
                self._secrets.add(secret.strip())

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "***")
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        return text
