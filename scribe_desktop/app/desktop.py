"""The desktop app: composition of everything. `scribe-desktop` with no subcommand.

One QApplication, one asyncio loop on its thread through qasync; settings (QSettings), the
API key (OS keyring), the backend (the local server child process by default), the
microphone, the `DictationWorker`, the main window and tray from `scribe_desktop.ui`, the
single-instance listener and the error funnel are created and wired here, and nowhere else.

The session history: ONE `HistoryStore` in the user data directory, opened at
startup; sessions a killed or crashed run left "recording" are marked interrupted then (with
one notice), and the worker records every dictation and file into it as it happens.

Shutdown (File → Quit, the tray's Quit, closing the window without close-to-tray, SIGTERM):
the worker abandons the dictation, closes the microphone and stops the server child.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from ..connect import ApiKeys, Backend, LocalBackend
from ..core.backend_kind import BackendKind
from ..core.owned_tasks import OwnedTasks
from ..core.redaction import Redactor
from ..history import HistoryStore, default_history_path
from ..hotkey.backends import ListenerStatus
from ..qt.settings import Settings
from ..qt.settings_store import SettingsStore
from ..qt.single_instance import SingleInstance, instance_name, send_to_running
from ..qt.worker.worker import DictationWorker, backend_factory_for
from .logging_setup import ErrorReporter, configure_logging

log = logging.getLogger(__name__)

REMOTE_COMMANDS = ("toggle", "start", "stop")


def run_app(*, remote: str | None = None, print_ready: bool = False,
            argv: list[str] | None = None, insert: bool = False) -> int:
    """Entry point of the GUI (or of a remote command to the running GUI; `insert`: its
    text goes into the focused app, as with the hotkey)."""
    name = instance_name()
    if remote is not None:
        reply = send_to_running([f"--{remote}", *(["--insert"] if insert else [])], name)
        if reply is None:
            print("scribe-desktop: the app is not running; start it first (scribe-desktop) "
                  f"and run --{remote} again", file=sys.stderr)
            return 1
        print(reply)
        return 0
    started = time.perf_counter()
    qt_app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("scribe-desktop")
    qt_app.setOrganizationName("scribe-desktop")
    app = DesktopApp(qt_app)
    if not app.instance.claim():
        reply = send_to_running(["--show"], name)
        print("scribe-desktop: already running; showed its window", file=sys.stderr)
        return 0 if reply is not None else 1
    code = app.run(print_ready=print_ready, started=started)
    from ..audio import input_stream

    if input_stream.wedged_closes:
        # a sound driver call never returned; PortAudio's exit handler would wait on it
        # forever (the app would never quit): everything is saved and closed by now
        log.warning("exiting past %d stuck audio stream close(s)", input_stream.wedged_closes)
        logging.shutdown()
        os._exit(code)
    return code


class DesktopApp(QObject):
    """Owns and wires the app's parts; `run()` blocks until the app quits."""

    def __init__(self, qt_app: QApplication, *, settings_store: SettingsStore | None = None,
                 api_keys: ApiKeys | None = None,
                 history_path: str | Path | None = None) -> None:
        """`history_path`: the history database (default: `default_history_path()`, under
        $XDG_DATA_HOME on Linux)."""
        super().__init__()
        self.qt_app = qt_app
        self.instance = SingleInstance(self.handle_argv)
        self.store = settings_store or SettingsStore()
        self.api_keys = api_keys or ApiKeys()
        self.redactor = Redactor()
        self.log_path: Path | None = None
        self.reporter = ErrorReporter()
        self.worker: DictationWorker | None = None
        self.window: Any = None
        self.tray: Any = None
        self.overlay: Any = None
        self.push_to_talk: Any = None  # qt.push_to_talk.controller.PushToTalk once running
        self.ptt_parts: Any = None  # app.push_to_talk.PttParts
        self.hotkey_status: ListenerStatus | None = None
        self.history_path = Path(history_path) if history_path else None
        self.history: HistoryStore | None = None
        self._quit: asyncio.Event | None = None
        self._tasks = OwnedTasks(what="app task")

    # -- commands from a second launch ---------------------------------------------------------

    def handle_argv(self, argv: list[str]) -> str:
        """Run a forwarded command; the reply is the dictation state afterwards."""
        worker = self.worker
        if worker is None:
            return "starting"
        command = next((c for c in REMOTE_COMMANDS if f"--{c}" in argv), None)
        insert = "--insert" in argv or worker.settings.remote_insert
        if command is not None and insert and self.push_to_talk is not None:
            return str(self.push_to_talk.remote(command))  # as the hotkey: into the focus
        if command == "toggle":
            worker.toggle()
        elif command == "start":
            worker.start()
        elif command == "stop":
            worker.stop()
        elif "--reload-settings" in argv:
            self._reload_settings()
        else:
            self.show_window()
        return str(worker.state)

    def _reload_settings(self) -> None:
        """`scribe-desktop config set` changed the stored settings: apply them now."""
        if self.worker is not None:
            self.worker.apply_settings(self.store.load())

    def show_window(self) -> None:
        if self.window is not None:
            self.window.show_window()

    def quit(self) -> None:
        if self._quit is not None:
            self._quit.set()

    # -- building ------------------------------------------------------------------------------

    def _backend_factory(self) -> Any:
        make = backend_factory_for(self.api_keys)

        def factory(settings: Settings) -> Backend:
            if settings.backend == BackendKind.LOCAL:
                secret = secrets.token_urlsafe(32)  # per launch of the child
                self.redactor.add(secret)
                return LocalBackend(*settings.local_server_args(), secret=secret)
            return make(settings)
        return factory

    def _open_history(self) -> list[str]:
        """Open the history store and recover interrupted sessions; the notices to show.
        Without a usable store the app still runs (nothing is recorded; one notice says so)."""
        path = self.history_path or default_history_path()
        try:
            self.history = HistoryStore.open(path)
            recovered = self.history.recover_interrupted()
        except Exception as exc:  # e.g. a read-only or corrupt file: dictation still works
            log.warning("history unavailable at %s: %s", path, exc, exc_info=exc)
            if self.history is not None:
                self.history.close()
                self.history = None
            return [f"History is off for this run: {path} cannot be used ({exc})."]
        log.info("history: %s (%d interrupted sessions recovered)", path, len(recovered))
        if not recovered:
            return []
        n = len(recovered)
        return [f"Recovered {n} interrupted session{'s' if n != 1 else ''} into History "
                "(View → History…)."]

    def _build(self, settings: Settings) -> None:
        worker = DictationWorker(settings, backend_factory=self._backend_factory(),
                                 api_keys=self.api_keys, reporter=self.reporter.report,
                                 history=self.history)
        self.worker = worker
        self.reporter.on_error = worker.report_error
        worker.settings_changed.connect(self.store.save)
        worker.notice.connect(self.notify)
        try:
            from ..ui.main_window import MainWindow
            from ..ui.tray import Tray
        except ImportError as exc:  # the widgets are optional while they are being built
            log.warning("no widgets (%s): running without a window", exc)
            return
        self.tray = Tray(worker)
        self.window = MainWindow(worker, settings, tray=self.tray, history=self.history)
        self.window.reinsert = self.reinsert
        self.tray.show_window_requested.connect(self.show_window)
        self.tray.quit_requested.connect(self.quit)
        self.window.quit_requested.connect(self.quit)
        self.window.show_log_requested.connect(self._show_log)
        if self.tray.available:
            self.tray.show()
        self.qt_app.setQuitOnLastWindowClosed(False)  # quitting goes through quit()
        from ..ui.overlay import PartialOverlay

        self.overlay = PartialOverlay(worker, enabled=settings.show_overlay)

    # -- push-to-talk ----------------------------------------------------------------

    def _start_hotkey(self, settings: Settings) -> None:
        """Push-to-talk (needs the running loop); say so when the hotkey cannot work."""
        from ..ui.chord_edit import chord_recording
        from .push_to_talk import build_push_to_talk

        worker = self.worker
        assert worker is not None
        parts = build_push_to_talk(worker, settings, notify=self.notify,
                                   on_outcome=self._ptt_outcome)
        self.ptt_parts = parts
        self.push_to_talk = parts.controller
        self.hotkey_status = parts.hotkeys
        self._show_hotkey_status(parts.hotkeys)
        if settings.hotkey_enabled and not parts.hotkeys.available:
            self.notify(parts.hotkeys.message)
        # recording a chord in Settings: the chords must reach the dialog and act on nothing
        chord_recording().changed.connect(parts.controller.suspend)
        worker.settings_changed.connect(self._hotkey_settings_changed)

    def _ptt_outcome(self, outcome: Any, detail: str) -> None:
        """How a push-to-talk dictation ended: overlay, tray, and the clipboard fallback."""
        if self.overlay is not None:
            self.overlay.show_outcome(str(outcome), detail)
        if self.tray is not None:
            self.tray.icon.setToolTip(f"scribe-desktop — last dictation: {outcome}")
        parts = self.ptt_parts
        last = parts.controller.last if parts is not None else None
        record = last.record if last is not None else None
        if str(outcome) == "not inserted" and record is not None and record.transcript \
                and parts is not None and not parts.insertion.available:
            QApplication.clipboard().setText(record.transcript)

    def _show_hotkey_status(self, status: Any) -> None:
        if self.window is not None:  # the status bar's permanent hotkey field
            self.window.set_hotkey_status(status)

    def _hotkey_settings_changed(self, settings: object) -> None:
        if not isinstance(settings, Settings):
            return
        if self.overlay is not None:
            self.overlay.enabled = settings.show_overlay
        if self.ptt_parts is not None:
            self.ptt_parts.apply(settings)

    def notify(self, message: str) -> None:
        """A short notice (hotkey stopped, nothing recognised, ...): status bar and tray."""
        if self.window is not None:
            self.window.show_device_warning(message)
        if self.tray is not None and self.tray.available:
            self.tray.icon.showMessage("scribe-desktop", message)

    def reinsert(self, text: str) -> None:
        """History's Re-insert: into the window the last push-to-talk dictation went to, by
        the inserter's own path; without push-to-talk (or a known window), the clipboard."""
        last = getattr(self.push_to_talk, "last", None)
        record = getattr(last, "record", None)
        target = getattr(record, "target", None)
        if self.push_to_talk is None or target is None or target.window is None:
            if self.window is not None:
                self.window.copy_for_reinsert(text)
            return
        self._tasks.spawn(self._reinsert(text, target))

    async def _reinsert(self, text: str, target: Any) -> None:
        inserter = self.push_to_talk.inserter
        try:
            await inserter.insert(inserter.begin(target), text)
        except Exception as exc:  # InsertError: say why, keep the text handy
            log.info("re-insert failed: %s", exc)
            self.notify(f"{exc} The text is on the clipboard instead.")
            if self.window is not None:
                QApplication.clipboard().setText(text)

    def _show_log(self) -> None:
        if self.log_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path)))

    # -- running -------------------------------------------------------------------------------

    def run(self, *, print_ready: bool = False, started: float | None = None) -> int:
        import qasync

        loop = qasync.QEventLoop(self.qt_app)
        asyncio.set_event_loop(loop)
        self.log_path, _ = configure_logging(redactor=self.redactor)
        self.reporter.install(loop)
        self.qt_app.aboutToQuit.connect(self.quit)
        try:
            with loop:
                code: int = loop.run_until_complete(self._main(print_ready, started))
                return code
        finally:
            self.reporter.uninstall()
            self.instance.close()

    async def _main(self, print_ready: bool, started: float | None) -> int:
        self._quit = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.quit)
            except (NotImplementedError, RuntimeError):  # not on this platform / loop
                signal.signal(sig, lambda *_: self.quit())
        settings = self.store.load()
        notices = self._open_history()
        self._build(settings)
        worker = self.worker
        assert worker is not None
        if isinstance(worker.backend, LocalBackend):
            worker.backend.start()  # ready by the time the user presses Start
        worker.open_microphone()
        self._start_hotkey(settings)
        if self.window is not None and not (settings.start_minimized and self.tray is not None
                                            and self.tray.available):
            self.window.show()
        for notice in notices:
            self.notify(notice)
        if self.window is not None and not settings.welcome_done:
            self.window.open_welcome()  # the first start; Help → Welcome… reopens it
        if print_ready:
            shown = self.window is not None and self.window.isVisible()
            print(json.dumps({"event": "ready", "instance": self.instance.name,
                              "window_shown": shown, "startup_s": round(
                                  time.perf_counter() - (started or time.perf_counter()), 3)}),
                  flush=True)
        await self._quit.wait()
        log.info("shutting down")
        if self.ptt_parts is not None:
            await self.ptt_parts.close()
        try:
            await asyncio.wait_for(worker.shutdown(), 15)
        except TimeoutError:
            log.warning("shutdown did not finish within 15 s")
        if self.window is not None:
            self.window.hide()
        if self.tray is not None:
            self.tray.hide()
        if self.history is not None:
            self.history.close()  # after the worker: its journal has written everything
        return 0
