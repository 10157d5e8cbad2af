"""The rotating log file and the ONE error funnel (architecture convention 5). No Qt.

`configure_logging()` sends the root logger to a rotating file in platformdirs' user log
directory through a `RedactingFormatter`: every registered secret (the API key, the local
server's secret) and any `xi-api-key` / `token=` value is replaced by `***` in messages AND
tracebacks, so no secret can reach the disk.

`ErrorReporter` is where every uncaught exception ends: `sys.excepthook` (which is also where
qasync's `asyncSlot` sends a failed slot), the asyncio loop's exception handler, and done
callbacks of the worker's tasks. It logs the traceback and calls `on_error(UserError)` (the app
shows a dialog); the app keeps running.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from ..core.redaction import Redactor
from ..paths.private import create_private_file, private_dir, tighten
from ..session.user_errors import UserError, user_error_for

APP_NAME = "scribe-desktop"
LOG_FILE_NAME = "scribe-desktop.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

class RedactingFormatter(logging.Formatter):
    """Formats as usual (message, traceback, stack), then redacts the whole text."""

    def __init__(self, redactor: Redactor, fmt: str = _FORMAT) -> None:
        super().__init__(fmt)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (the log names the user's files)."""

    def _open(self) -> Any:
        create_private_file(self.baseFilename)
        return super()._open()


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    folder = private_dir(user_log_dir(APP_NAME, appauthor=False), own=True)
    tighten(folder)  # the app's own folder: older logs may have been left readable
    return folder


def configure_logging(log_dir: Path | None = None, *, redactor: Redactor | None = None,
                      level: int = logging.INFO) -> tuple[Path, Redactor]:
    """Attach a rotating, redacting file handler to the root logger (replacing one added by
    an earlier call). Returns the log file path and the redactor to register secrets with."""
    directory = private_dir(log_dir) if log_dir else default_log_dir()
    path = directory / LOG_FILE_NAME
    redactor = redactor or Redactor()
    handler = PrivateRotatingFileHandler(path, maxBytes=MAX_LOG_BYTES,
                                         backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(redactor))
    handler.set_name("scribe-desktop-file")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "scribe-desktop-file"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return path, redactor


ExcHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


class ErrorReporter:
    """The error funnel (see module doc). `on_error` runs on the thread that reported; the app
    passes a callable that is safe there (a Qt signal emit, queued across threads)."""

    def __init__(self, on_error: Callable[[UserError], None] | None = None,
                 logger: logging.Logger | None = None) -> None:
        self.on_error = on_error
        self.log = logger or logging.getLogger("scribe_desktop.errors")
        self.reported: list[UserError] = []
        self._old_hook: ExcHook | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def report(self, exc: BaseException, context: str = "unhandled exception") -> UserError:
        """Log `exc` with its traceback and hand its `UserError` to `on_error`."""
        self.log.error("%s: %s", context, exc, exc_info=(type(exc), exc, exc.__traceback__))
        error = user_error_for(exc)
        self.reported.append(error)
        del self.reported[:-20]  # keep the last few for tests and an "errors" view
        if self.on_error is not None:
            try:
                self.on_error(error)
            except Exception:
                self.log.exception("showing an error failed")
        return error

    # -- the three entry points ---------------------------------------------------------------

    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            if self._old_hook is not None:
                self._old_hook(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        self.report(exc, "uncaught exception")

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message", "asyncio error"))
        if isinstance(exc, BaseException):
            self.report(exc, message)
        else:
            self.log.error("asyncio: %s (%s)", message,
                           {k: repr(v) for k, v in context.items() if k != "message"})

    def task_done(self, task: asyncio.Future[Any]) -> None:
        """A done callback for background tasks: report anything but cancellation."""
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.report(exc, "background task failed")

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Become `sys.excepthook` and the loop's exception handler."""
        self._old_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            self._loop = loop
            loop.set_exception_handler(self.loop_handler)

    def uninstall(self) -> None:
        if self._old_hook is not None:
            sys.excepthook = self._old_hook
            self._old_hook = None
        if self._loop is not None:
            self._loop.set_exception_handler(None)
            self._loop = None
