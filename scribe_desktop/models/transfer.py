"""Resumable download of one file into a `.part` file that survives the process.

huggingface_hub (2.x) cannot resume a download across processes: each run writes to a fresh
`<etag>.<random>.incomplete` file opened "wb" (huggingface_hub PR 4228), so a killed download
starts over from byte 0 and leaves the old partial file behind. Measured against the test hub:
killed after 30 MB of tiny.en's 75.5 MB model.bin, the rerun fetched all 75.5 MB again. Here
the partial file has a stable name (the expected digest), and a rerun - or a retry after a
dropped connection within the same run - asks for the rest with `Range: bytes=<size>-`.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

import httpx

from .digest import Cancelled
from .errors import NetworkError, RemoteError, RemoteNotFoundError, os_error
from .hub import network_reason
from .progress import CancelToken

RETRIES = 4  # consecutive failures without progress before giving up
TIMEOUT = httpx.Timeout(30.0, connect=15.0)
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


def fetch(client: httpx.Client, url: str, part: Path, *, size: int, endpoint: str,
          on_bytes: Callable[[int], None], cancel: CancelToken | None = None,
          retries: int = RETRIES) -> int:
    """Make `part` hold the `size` bytes at `url`, resuming from what it already holds.

    Returns the bytes received in this call. Retries dropped connections (resuming each time,
    waiting 1, 2, 4... s); raises NetworkError, RemoteNotFoundError, RemoteError, the
    filesystem errors of `errors.os_error`, or `digest.Cancelled`.
    """
    received = 0
    failures = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        if have > size:  # cannot be ours: start again
            part.unlink()
            have = 0
        if have == size:
            return received
        before = received
        try:
            received += _get_once(client, url, part, have, size, on_bytes, cancel)
        except httpx.TransportError as exc:
            if cancel is not None and cancel.cancelled:
                raise Cancelled from exc
            failures = 0 if received > before else failures + 1
            if failures > retries:
                raise NetworkError(endpoint, network_reason(exc) or str(exc)) from exc
            if cancel is not None and cancel.wait(min(2.0 ** (failures - 1), 8.0)):
                raise Cancelled from exc
            continue
        got = part.stat().st_size if part.exists() else 0
        if got >= size:  # longer than announced: the caller's digest check rejects it
            return received
        # The body ended early without a transport error (or a 416 reset the file): resume.
        failures = 0 if received > before else failures + 1
        if failures > retries:
            raise RemoteError(endpoint, f"{part.name}: the server sent {got} of {size} bytes")


def _get_once(client: httpx.Client, url: str, part: Path, have: int, size: int,
              on_bytes: Callable[[int], None], cancel: CancelToken | None) -> int:
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    received = 0
    with client.stream("GET", url, headers=headers) as response:
        if have and response.status_code == 416:  # our partial file is not a prefix: restart
            part.unlink()
            return 0
        _check_status(response, url)
        if have and response.status_code == 200:
            have = 0  # the server ignored Range: take the whole body
        elif have:
            _check_content_range(response, have, url)
        unhook = _wake_on_cancel(response, cancel)
        try:
            with part.open("ab" if have else "wb") as out:
                for chunk in response.iter_bytes():  # as received: nothing lost on a drop
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled
                    out.write(chunk)
                    received += len(chunk)
                    on_bytes(len(chunk))
                    if out.tell() > size:
                        break  # longer than announced: the digest check rejects it
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:  # ENOSPC, EACCES... (buffered writes may fail at close)
            raise os_error(exc, part.parent) from exc
        finally:
            unhook()
    if cancel is not None and cancel.cancelled:
        raise Cancelled
    return received


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code < 400:
        return
    endpoint = f"{response.url.scheme}://{response.url.netloc.decode()}"
    name = url.rsplit("/", 1)[-1]
    if response.status_code == 404:
        raise RemoteNotFoundError(name, endpoint)
    raise RemoteError(endpoint, f"HTTP {response.status_code} for {name}")


def _check_content_range(response: httpx.Response, have: int, url: str) -> None:
    m = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if response.status_code != 206 or m is None or int(m[1]) != have:
        endpoint = f"{response.url.scheme}://{response.url.netloc.decode()}"
        raise RemoteError(endpoint, f"bad answer to a resumed download of "
                          f"{url.rsplit('/', 1)[-1]} (HTTP {response.status_code}, "
                          f"Content-Range {response.headers.get('Content-Range')!r})")


def _wake_on_cancel(response: httpx.Response, cancel: CancelToken | None) -> Callable[[], None]:
    """Shut the socket down on cancellation so a read blocked on a stalled server returns."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if cancel is None or not isinstance(sock, socket.socket):
        return lambda: None

    def shut() -> None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)

    return cancel.on_cancel(shut)
