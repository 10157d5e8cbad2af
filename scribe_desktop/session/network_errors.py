"""What a failed connection ran into, in the words a user knows: no network, the host name
not found, the connection refused, a TLS failure, no answer in time. No Qt, no I/O.

The client keeps the operating system's exception in the chain (`raise ... from exc`):
`socket.gaierror` for a name that cannot be resolved, `ConnectionRefusedError`, `ssl.SSLError`,
`TimeoutError`, or an `OSError` whose errno says the network is down. `network_cause()` walks
that chain, so a failed token request (httpx -> httpcore -> socket) and a failed WebSocket
connection are explained alike.
"""

from __future__ import annotations

import errno
import socket
import ssl
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class NetworkCause(StrEnum):
    NO_NETWORK = "no_network"  # the network is down or unreachable
    HOST_NOT_FOUND = "host_not_found"  # DNS could not resolve the name
    REFUSED = "connection_refused"  # nothing listens there
    TLS = "tls_failed"  # the secure connection could not be set up
    TIMEOUT = "timed_out"  # no answer in time


_OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.EHOSTDOWN}
# getaddrinfo's "Temporary failure in name resolution": no DNS server answers (offline)
_DNS_UNAVAILABLE = {getattr(socket, "EAI_AGAIN", -3)}


@dataclass(frozen=True, slots=True)
class NetworkFailure:
    cause: NetworkCause
    host: str  # the host name or address tried ("" if unknown)
    detail: str  # the operating system's words


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _cause_of(exc: BaseException) -> NetworkCause | None:
    if isinstance(exc, socket.gaierror):
        return NetworkCause.NO_NETWORK if exc.errno in _DNS_UNAVAILABLE \
            else NetworkCause.HOST_NOT_FOUND
    if isinstance(exc, ConnectionRefusedError):
        return NetworkCause.REFUSED
    if isinstance(exc, ssl.SSLError):
        return NetworkCause.TLS
    if isinstance(exc, TimeoutError):
        return NetworkCause.TIMEOUT
    if isinstance(exc, OSError) and exc.errno in _OFFLINE_ERRNOS:
        return NetworkCause.NO_NETWORK
    return None


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.hostname is None:
        return ""
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname


def network_failure(exc: BaseException, url: str = "") -> NetworkFailure | None:
    """The network cause of `exc` (from its chain), None when it was not the network."""
    for link in _chain(exc):
        cause = _cause_of(link)
        if cause is not None:
            detail = getattr(link, "strerror", None) or str(link) or type(link).__name__
            return NetworkFailure(cause, host_of(url), str(detail))
    return None


def is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in ("localhost", "127.0.0.1", "::1", "[::1]")
