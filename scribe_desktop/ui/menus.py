"""The main window's menus and their shortcuts: File, Edit, View, Settings, Help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow


@dataclass(frozen=True, slots=True)
class WindowActions:
    transcribe_file: QAction
    export: QAction
    quit: QAction
    copy_all: QAction
    clear: QAction
    settings: QAction
    about: QAction
    toggle: QAction
    commit: QAction
    history: QAction | None = None
    messages: QAction | None = None
    welcome: QAction | None = None


def build_menus(window: MainWindow) -> WindowActions:
    bar = window.menuBar()

    def action(text: str, slot: object, shortcut: QKeySequence | str | None = None,
               tip: str | None = None) -> QAction:
        act = QAction(text, window)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    file_menu = bar.addMenu("&File")
    transcribe = action("&Transcribe file…", window.choose_file, "Ctrl+O",
                        "Transcribe an audio file into the transcript")
    export = action("&Export…", window.export_transcript, "Ctrl+E")
    quit_ = action("&Quit", window.quit_requested.emit, "Ctrl+Q")
    file_menu.addAction(transcribe)
    file_menu.addAction(export)
    file_menu.addSeparator()
    file_menu.addAction(quit_)
    file_menu.setToolTipsVisible(True)

    edit_menu = bar.addMenu("&Edit")
    copy_all = action("&Copy all", window.copy_all, "Ctrl+Shift+C",
                      "Copy the whole transcript to the clipboard")
    clear = action("C&lear", window.clear, None, "Clear the transcript")
    toggle = action("Start dictation", window.worker.toggle, None,
                    "Start or stop dictation (Ctrl+Space, F9)")
    commit = action("Commit &now", window.commit_now, None,
                    "Commit the live text now (Ctrl+Enter)")
    edit_menu.addAction(copy_all)
    edit_menu.addAction(clear)
    edit_menu.addSeparator()
    edit_menu.addAction(toggle)
    edit_menu.addAction(commit)

    view_menu = bar.addMenu("&View")
    history = action("&History…", window.open_history, "Ctrl+H",
                     "Past sessions: search, open, copy, re-insert, delete, export")
    view_menu.addAction(history)
    messages = action("&Messages…", window.open_message_log, None,
                      "Every status-bar message of this run, in full")
    view_menu.addAction(messages)

    settings_menu = bar.addMenu("&Settings")
    settings = action("&Settings…", lambda: window.open_settings(), "Ctrl+,",
                      "Backend, API key, language, commit strategy and audio")
    settings_menu.addAction(settings)

    help_menu = bar.addMenu("&Help")
    welcome = action("&Welcome…", lambda: window.open_welcome(), None,
                     "Microphone, a test recording, the hotkey and the speech model")
    help_menu.addAction(welcome)
    about = action("&About scribe-desktop", window.show_about)
    help_menu.addAction(about)

    return WindowActions(transcribe, export, quit_, copy_all, clear, settings, about, toggle,
                         commit, history, messages, welcome)
