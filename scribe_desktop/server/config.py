"""Settings of one local server process (the CLI flags of `scribe-desktop server`)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field

DEFAULT_HOST = "127.0.0.1"
DEFAULT_IDLE_TIMEOUT_S = 15.0  # §11: the live server closes after ≈15.8 s without audio
DEFAULT_MAX_CHUNK_S = 2.0
DEFAULT_AUTO_COMMIT_S = 90.0  # §10.2: documented auto-commit interval
# A client that has not finished its HTTP request (or WebSocket upgrade) this long after
# connecting is cut: real clients send it at once, idle and slowloris sockets hold a file each.
DEFAULT_HANDSHAKE_TIMEOUT_S = 5.0
DEFAULT_MAX_PENDING = 256  # connections not (yet) an authenticated session, in all
DEFAULT_MAX_PENDING_PER_PEER = 64  # the same, from one IP address
SECRET_ENV = "SCRIBE_DESKTOP_SERVER_SECRET"


class ConfigError(ValueError):
    """A server setting that cannot work; the text says which and how to fix it."""


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


@dataclass(frozen=True, slots=True)
class ServerConfig:
    secret: str = field(default_factory=generate_secret, repr=False)
    host: str = DEFAULT_HOST
    port: int = 0
    auth: bool = True
    allow_remote: bool = False
    allowed_origins: frozenset[str] = frozenset()
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
    max_chunk_s: float = DEFAULT_MAX_CHUNK_S
    auto_commit_s: float = DEFAULT_AUTO_COMMIT_S
    lenient_commits: bool = False
    # None: as many as the cores transcribe in real time (capacity.py); a number caps that
    max_sessions: int | None = None
    session_cores: float | None = None  # the CPU of one session; None: the engine's measured
    token_ttl_s: float = 15 * 60  # §8: "expires after 15 minutes"
    handshake_timeout_s: float = DEFAULT_HANDSHAKE_TIMEOUT_S
    max_pending: int = DEFAULT_MAX_PENDING
    max_pending_per_peer: int = DEFAULT_MAX_PENDING_PER_PEER

    def validate(self) -> ServerConfig:
        if not is_loopback(self.host) and not self.allow_remote:
            raise ConfigError(f"--host {self.host} is not a loopback address: other machines "
                              "could reach the server. Pass --allow-remote to mean it.")
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be 0-65535, got {self.port}")
        for name, value in (("--idle-timeout", self.idle_timeout_s),
                            ("--max-chunk-seconds", self.max_chunk_s),
                            ("--auto-commit-seconds", self.auto_commit_s),
                            ("--handshake-timeout", self.handshake_timeout_s)):
            if not value > 0:
                raise ConfigError(f"{name} must be positive, got {value}")
        if self.max_sessions is not None and self.max_sessions < 1:
            raise ConfigError(f"--max-sessions must be at least 1, got {self.max_sessions}")
        if self.session_cores is not None and not self.session_cores > 0:
            raise ConfigError(f"--session-cores must be positive, got {self.session_cores}")
        for name, count in (("--max-pending", self.max_pending),
                            ("--max-pending-per-peer", self.max_pending_per_peer)):
            if count < 1:
                raise ConfigError(f"{name} must be at least 1, got {count}")
        if self.auth and not self.secret:
            raise ConfigError("the server secret must not be empty")
        return self
