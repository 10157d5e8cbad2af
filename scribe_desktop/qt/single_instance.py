"""One app per user: the first launch listens on a QLocalServer; later launches forward their
arguments to it and exit (QtNetwork).

Wire format, one exchange per connection: the client writes one JSON line
`{"argv": [...]}`; the first instance runs `handler(argv)` and answers one JSON line
`{"ok": true, "reply": "<text>"}`. `scribe-desktop --toggle | --start | --stop` use this to
drive the running app (what Wayland users bind a desktop shortcut to).

The server side needs the Qt event loop (qasync's); the client side uses Qt's blocking calls
and works before any event loop runs.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

INSTANCE_ENV = "SCRIBE_DESKTOP_INSTANCE"  # tests isolate instances by name
MAX_MESSAGE_BYTES = 64 * 1024

Handler = Callable[[list[str]], str]


def instance_name() -> str:
    """The local socket name: per user (and overridable for tests)."""
    override = os.environ.get(INSTANCE_ENV)
    if override:
        return override
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return f"scribe-desktop-{user}"


def _ensure_core_app() -> None:
    if QCoreApplication.instance() is None:
        QCoreApplication([])


def send_to_running(argv: list[str], name: str | None = None, *,
                    timeout_ms: int = 3000) -> str | None:
    """Forward `argv` to the running instance; its reply, or None when none is running."""
    _ensure_core_app()
    socket = QLocalSocket()
    socket.connectToServer(name or instance_name())
    if not socket.waitForConnected(timeout_ms):
        return None
    try:
        socket.write((json.dumps({"argv": argv}) + "\n").encode())
        if not socket.waitForBytesWritten(timeout_ms):
            return None
        data = b""
        while b"\n" not in data:
            if not socket.waitForReadyRead(timeout_ms):
                break
            data += bytes(socket.readAll().data())
        if not data:
            return None
        try:
            answer = json.loads(data.split(b"\n", 1)[0])
        except ValueError:
            return None
        return str(answer.get("reply", "")) if isinstance(answer, dict) else None
    finally:
        socket.disconnectFromServer()


class SingleInstance(QObject):
    """The first instance's listener; `handler(argv) -> reply` runs on the Qt main thread."""

    def __init__(self, handler: Handler, name: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or instance_name()
        self.handler = handler
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def claim(self) -> bool:
        """Listen; False when another instance already answers on the name. Asking first
        matters: with `UserAccessOption` Qt binds in a private directory and renames the
        socket into place, which would silently steal the name from a running instance. A
        stale socket file left by a crashed instance is removed."""
        if send_to_running(["--ping"], self.name, timeout_ms=1000) is not None:
            return False
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            socket.abort()
            return
        if b"\n" not in data:
            self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line)
            argv = [str(a) for a in message["argv"]]
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed single-instance message")
            socket.abort()
            return
        try:
            reply = "pong" if argv == ["--ping"] else self.handler(argv)
            answer = {"ok": True, "reply": reply}
        except Exception as exc:
            log.exception("handling forwarded arguments %s failed", argv)
            answer = {"ok": False, "reply": f"error: {exc}"}
        socket.write((json.dumps(answer) + "\n").encode())
        socket.flush()
        socket.disconnectFromServer()
