"""The error funnel and the rotating log: every path ends in one reporter; no secret is
ever written to the log."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scribe_desktop.app.logging_setup import ErrorReporter, configure_logging
from scribe_desktop.client import ApiKeyAuth, TokenAuth, error_from_server
from scribe_desktop.core.redaction import Redactor
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import ServerError
from scribe_desktop.session.user_errors import AppErrorKind, UserError

KEY = "sk_live_0123456789abcdef0123456789abcdef"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[tuple[Path, Redactor]]:
    path, redactor = configure_logging(tmp_path / "logs")
    yield path, redactor
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "scribe-desktop-file"]:
        root.removeHandler(handler)
        handler.close()


def flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_the_api_key_never_reaches_the_log(log_file: tuple[Path, Redactor]) -> None:
    """A registered key is redacted from messages, reprs, URLs and tracebacks."""
    path, redactor = log_file
    redactor.add(KEY)
    log = logging.getLogger("scribe_desktop.test")
    log.warning("connecting with key %s", KEY)
    log.warning("url wss://h/v1/x?model_id=m&token=sutkn_abcdef123456 headers %s",
                {"xi-api-key": "another-secret-value"})
    log.warning("auth %r %r", ApiKeyAuth(KEY), TokenAuth(KEY))
    try:
        raise RuntimeError(f"failed for {KEY}")
    except RuntimeError:
        log.exception("boom")
    flush()
    text = path.read_text()
    assert KEY not in text and "sutkn_abcdef123456" not in text
    assert "another-secret-value" not in text
    assert "boom" in text and "RuntimeError" in text and "***" in text


def test_excepthook_reports_and_logs(log_file: tuple[Path, Redactor]) -> None:
    """An uncaught exception reaches sys.excepthook, the log and on_error."""
    path, _ = log_file
    shown: list[UserError] = []
    reporter = ErrorReporter(shown.append)
    reporter.install()
    try:
        try:
            raise ValueError("kaput")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        reporter.uninstall()
    flush()
    assert [e.kind for e in shown] == [AppErrorKind.INTERNAL]
    assert "ValueError: kaput" in path.read_text() and "Traceback" in path.read_text()


async def test_loop_exceptions_and_failed_tasks_are_reported(
        log_file: tuple[Path, Redactor]) -> None:
    """A callback error in the loop and a failed background task each reach on_error."""
    shown: list[UserError] = []
    reporter = ErrorReporter(shown.append)
    loop = asyncio.get_running_loop()
    reporter.install(loop)
    try:
        got = asyncio.Event()

        def on_error(error: UserError) -> None:
            shown.append(error)
            got.set()

        reporter.on_error = on_error

        def bad() -> None:
            raise error_from_server(ServerError(ErrorType.QUOTA_EXCEEDED, "q"))

        loop.call_soon(bad)
        await asyncio.wait_for(got.wait(), 5)
        got.clear()

        async def failing() -> None:
            raise KeyError("x")

        task = asyncio.ensure_future(failing())
        task.add_done_callback(reporter.task_done)
        await asyncio.wait_for(got.wait(), 5)
    finally:
        reporter.uninstall()
    assert [e.kind for e in shown] == [ErrorType.QUOTA_EXCEEDED, AppErrorKind.INTERNAL]


def test_a_failing_dialog_does_not_break_the_funnel(log_file: tuple[Path, Redactor]) -> None:
    """If showing the error fails, the reporter logs that and returns normally."""
    def broken(error: UserError) -> None:
        raise RuntimeError("dialog broke")

    error = ErrorReporter(broken).report(KeyError("k"))
    flush()
    assert error.kind == AppErrorKind.INTERNAL
    assert "dialog broke" in log_file[0].read_text()
