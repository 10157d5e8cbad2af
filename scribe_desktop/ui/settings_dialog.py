"""The settings dialog: backend and API key, transcription options (transcription_settings.py),
audio, the dictation hotkey (hotkey_settings.py), text shaping and vocabulary
(text_settings.py), speech models (models_settings.py), history (history_settings.py), window.

Every option says whether the chosen backend's engine uses it (`capabilities(kind)`, asked
again when the backend choice changes): one it ignores is disabled with the reason, never
accepted silently. `show_field(name)` brings a field's tab to the front and focuses it (an
error's "Open Settings" lands on the field it names). Tray options appear only where the
desktop has a tray. A key held for this run only reads "set for this session".

It edits a copy of the immutable `Settings` (`result_settings()`); ranges, labels and choices
come from the declarations in settings.py (`field_spec`), which take the VAD ranges from
protocol/options.VAD_RANGES. The API key never enters `Settings`: a typed key leaves the
dialog only as `api_key_entered(key, remember)`, which the main window hands to
`DictationWorker.set_api_key` (the OS keyring, or — without one — memory for this run only,
never disk). The injected key store is only read (is a key stored? is there a keyring?) and
asked to delete the key.

"Test connection" emits `test_connection_requested(settings, key_or_None)`; the main window
forwards it to `DictationWorker.test_connection` and its answer to `set_test_result()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..audio.processing import ECHO_CANCELLATION_NOTE
from ..connect import CLOUD, POCKETSPHINX, Capabilities
from ..core.backend_kind import BackendKind
from ..hotkey.backends import ListenerStatus
from ..models import ModelStore
from ..protocol.options import KNOWN_MODEL_IDS, CommitStrategy, Region
from ..qt.settings import Settings, SettingsError, field_spec
from .cloud_settings import CloudBox, KeyStore
from .history_settings import DiskUsageSource, HistoryTab
from .hotkey_settings import HotkeyTab
from .models_settings import ModelsTab
from .privacy_settings import PrivacyTab
from .text_settings import TextTab
from .transcription_settings import AUTO_LANGUAGE, TranscriptionTab, int_spin, note_label

__all__ = ["AUTO_LANGUAGE", "SettingsDialog"]

NOISE_LEVELS = ("Off", "Low", "Moderate", "High", "Very high")
CapabilitiesFor = Callable[[BackendKind], Capabilities]


def _known_capabilities(kind: BackendKind) -> Capabilities:
    return CLOUD if kind == BackendKind.CLOUD else POCKETSPHINX


class SettingsDialog(QDialog):
    """Edits `settings`; after `accepted`, `result_settings()` is the new value."""

    test_connection_requested = Signal(object, object)  # Settings, str | None (typed key)
    api_key_entered = Signal(str, bool)  # key, remember (False: this run only, no keyring)

    def __init__(self, settings: Settings, *, key_store: KeyStore | None = None,
                 devices: list[str] | None = None, hotkey_status: ListenerStatus | None = None,
                 history: DiskUsageSource | None = None, models: ModelStore | None = None,
                 capabilities: CapabilitiesFor | None = None, session_key_set: bool = False,
                 tray_available: bool = True, parent: QWidget | None = None) -> None:
        """`hotkey_status`: what the app found at launch (None: look now); `history`: the
        store whose disk use the History tab shows (None: no history this run); `models`:
        the Whisper model store (None: the user's); `capabilities(kind)`: what that
        backend's engine supports (default: what is known without asking one);
        `session_key_set`: a key is held for this run only."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(540)
        self._initial = settings
        self._result = settings
        self._key_store = key_store
        self._session_key_set = session_key_set
        self._tray_available = tray_available
        self.capabilities_for = capabilities or _known_capabilities
        tabs = QTabWidget(self)
        tabs.addTab(self._backend_tab(settings), "Backend")
        self.transcription = TranscriptionTab(settings, self.capabilities_for(settings.backend),
                                              self)
        self._alias_transcription()
        tabs.addTab(self.transcription, "Transcription")
        tabs.addTab(self._audio_tab(settings, devices or []), "Audio")
        if hotkey_status is None:
            from ..hotkey.backends import detect  # imports pynput: only when asked

            hotkey_status = detect()
        self.hotkey = HotkeyTab(settings, hotkey_status, self)
        tabs.addTab(self.hotkey, "Dictation hotkey")
        self.text_tab = TextTab(settings, self)
        self.keyterms, self.no_verbatim = self.text_tab.vocabulary, self.text_tab.no_verbatim
        tabs.addTab(self.text_tab, "Text")
        self.models = ModelsTab(settings, models, parent=self)
        tabs.addTab(self.models, "Models")
        self.history = HistoryTab(settings, history, self)
        tabs.addTab(self.history, "History")
        self.privacy = PrivacyTab(settings, self)
        tabs.addTab(self.privacy, "Privacy")
        tabs.addTab(self._window_tab(settings), "Window")
        self.tabs = tabs
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.problem = QLabel(self)
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b42318;")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.addWidget(tabs)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.text_tab.validity_changed.connect(self._update_ok)
        self.hotkey.validity_changed.connect(self._update_ok)
        self.transcription.changed.connect(self._update_ok)
        self._update_ok()
        self._on_backend_changed()

    def _alias_transcription(self) -> None:
        t = self.transcription
        self.language, self.strategy, self.vad_box = t.language, t.strategy, t.vad_box
        self.vad_silence, self.vad_threshold = t.vad_silence, t.vad_threshold
        self.min_speech, self.min_silence = t.min_speech, t.min_silence
        self.timestamps = t.timestamps

    # -- tabs ------------------------------------------------------------------------------
    def _backend_tab(self, s: Settings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.backend = QComboBox(page)
        self.backend.addItem("Local (offline, on this computer)", BackendKind.LOCAL)
        self.backend.addItem("ElevenLabs (cloud)", BackendKind.CLOUD)
        self.backend.setCurrentIndex(self.backend.findData(s.backend))
        self.backend.currentIndexChanged.connect(self._on_backend_changed)
        form.addRow("Backend:", self.backend)

        self.cloud_box = CloudBox(s, self._key_store, page,
                                  session_key_set=self._session_key_set)
        box = self.cloud_box
        self.api_key, self.key_status, self.remove_key = box.api_key, box.key_status, \
            box.remove_key
        self.session_only, self.region, self.single_use = box.session_only, box.region, \
            box.single_use
        self.test_button, self.test_result = box.test_button, box.test_result
        self.test_button.clicked.connect(self._request_test)
        form.addRow(self.cloud_box)

        self.model_id = QComboBox(page)
        self.model_id.setObjectName("model_id")
        self.model_id.setEditable(True)
        self.model_id.addItems(KNOWN_MODEL_IDS)
        self.model_id.setCurrentText(s.model_id)
        form.addRow(field_spec("model_id").label + ":", self.model_id)
        self.model_note = note_label(page, "modelNote")
        form.addRow("", self.model_note)
        return page

    def _audio_tab(self, s: Settings, devices: list[str]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.device = QComboBox(page)
        self.device.setObjectName("device_name")
        self.device.addItem("System default", None)
        for name in devices:
            self.device.addItem(name, name)
        if s.device_name and s.device_name not in devices:
            self.device.addItem(f"{s.device_name} (not connected)", s.device_name)
        self.device.setCurrentIndex(max(0, self.device.findData(s.device_name))
                                    if s.device_name else 0)
        form.addRow(field_spec("device_name").label + ":", self.device)
        self.chunk_ms = int_spin("chunk_ms", 10, s.chunk_ms, " ms")
        form.addRow(field_spec("chunk_ms").label + ":", self.chunk_ms)
        self.noise = QComboBox(page)
        self.noise.addItems(NOISE_LEVELS)
        self.noise.setCurrentIndex(s.noise_suppression)
        form.addRow(field_spec("noise_suppression").label + ":", self.noise)
        self.gain = int_spin("auto_gain_dbfs", 1, s.auto_gain_dbfs, " dB")
        self.gain.setSpecialValueText("Off")
        self.gain.setToolTip(field_spec("auto_gain_dbfs").label)
        form.addRow("Automatic gain:", self.gain)
        self.preroll = int_spin("preroll_ms", 50, s.preroll_ms, " ms")
        form.addRow(field_spec("preroll_ms").label + ":", self.preroll)
        self.close_mic = _check_with_note(page, form, "close_mic_when_idle",
                                          s.close_mic_when_idle)
        self.close_mic.toggled.connect(lambda on: self.preroll.setEnabled(not on))
        self.preroll.setEnabled(not s.close_mic_when_idle)  # no pre-roll from a closed mic
        self.echo = QCheckBox("Echo cancellation", page)
        self.echo.setEnabled(False)
        self.echo.setToolTip(ECHO_CANCELLATION_NOTE)
        echo_note = QLabel(ECHO_CANCELLATION_NOTE, page)
        echo_note.setObjectName("echoNote")
        echo_note.setWordWrap(True)
        echo_note.setStyleSheet("color: #6b7280;")
        form.addRow("", self.echo)
        form.addRow("", echo_note)
        return page

    def _window_tab(self, s: Settings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.close_to_tray = QCheckBox(field_spec("close_to_tray").label, page)
        self.close_to_tray.setChecked(s.close_to_tray)
        self.start_minimized = QCheckBox(field_spec("start_minimized").label, page)
        self.start_minimized.setChecked(s.start_minimized)
        form.addRow("", self.close_to_tray)
        form.addRow("", self.start_minimized)
        self.tray_note = note_label(page, "trayNote")
        self.tray_note.setText("This desktop has no system tray, so the app cannot wait "
                               "there: closing the window quits it, and it always starts "
                               "with its window shown.")
        form.addRow("", self.tray_note)
        for box in (self.close_to_tray, self.start_minimized):
            box.setVisible(self._tray_available)  # the values are kept for a desktop with one
        self.tray_note.setVisible(not self._tray_available)
        return page

    # -- behaviour -------------------------------------------------------------------------
    def _update_ok(self) -> None:
        problem = self.transcription.problem()
        self.ok_button.setEnabled(self.text_tab.is_valid() and self.hotkey.is_valid()
                                  and problem is None)
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)

    def _on_backend_changed(self) -> None:
        kind = BackendKind(self.backend.currentData())
        self.cloud_box.setEnabled(kind == BackendKind.CLOUD)
        caps = self.capabilities_for(kind)
        self.transcription.set_capabilities(caps)
        self.text_tab.set_capabilities(caps)
        self.privacy.set_backend(kind)
        reason = caps.unsupported_reason("model_id")
        self.model_id.setEnabled(reason is None)
        self.model_note.setText(f"{reason} It applies on ElevenLabs." if reason else "")
        self.model_note.setVisible(reason is not None)
        self._update_ok()

    @property
    def capabilities(self) -> Capabilities:
        """What the chosen backend's engine supports."""
        return self.transcription.capabilities

    def field_widget(self, name: str) -> QWidget | None:
        """The editor of the setting `name` on the first three tabs, else None."""
        widgets: dict[str, QWidget] = {
            "backend": self.backend, "api_key": self.api_key, "region": self.region,
            "single_use_tokens": self.single_use, "model_id": self.model_id,
            "language": self.language, "commit_strategy": self.strategy,
            "vad_silence_threshold_secs": self.vad_silence, "vad_threshold": self.vad_threshold,
            "min_speech_duration_ms": self.min_speech,
            "min_silence_duration_ms": self.min_silence, "include_timestamps": self.timestamps,
            "no_verbatim": self.no_verbatim, "keyterms": self.keyterms.edit,
            "device_name": self.device, "chunk_ms": self.chunk_ms,
            "noise_suppression": self.noise, "auto_gain_dbfs": self.gain,
            "preroll_ms": self.preroll, "close_to_tray": self.close_to_tray,
            "start_minimized": self.start_minimized}
        return widgets.get(name)

    def show_field(self, name: str | None) -> QWidget | None:
        """Bring the tab of setting `name` to the front and focus its editor; returns it
        (None: an unknown name, or one on a tab without a known editor: the tab shows)."""
        if not name:
            return None
        widget = self.field_widget(name)
        if widget is not None:
            for index in range(self.tabs.count()):
                page = self.tabs.widget(index)
                if page is not None and page.isAncestorOf(widget):
                    self.tabs.setCurrentIndex(index)
            widget.setFocus()
            return widget
        try:
            group = field_spec(name).group
        except KeyError:
            return None
        titles = {"Hotkey": "Dictation hotkey"}
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == titles.get(group, group):
                self.tabs.setCurrentIndex(index)
        return None

    def _request_test(self) -> None:
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        key = self.api_key.text().strip() or None
        self.test_connection_requested.emit(self.collect(), key)

    def set_test_result(self, ok: bool, message: str) -> None:
        """The answer to `test_connection_requested`."""
        self.cloud_box.set_test_result(ok, message)

    @property
    def keyring_available(self) -> bool:
        return self.cloud_box.keyring_available

    @property
    def key_stored(self) -> bool:
        return self.cloud_box.key_stored

    def collect(self) -> Settings:
        """The settings as currently edited (not yet validated)."""
        return dataclasses.replace(
            self._initial,
            backend=BackendKind(self.backend.currentData()),
            region=Region(self.region.currentData()),
            model_id=self.model_id.currentText().strip(),
            single_use_tokens=self.single_use.isChecked(),
            language=self.transcription.language_code(),
            commit_strategy=CommitStrategy(self.strategy.currentData()),
            vad_silence_threshold_secs=round(self.vad_silence.value(), 2),
            vad_threshold=round(self.vad_threshold.value(), 2),
            min_speech_duration_ms=self.min_speech.value(),
            min_silence_duration_ms=self.min_silence.value(),
            include_timestamps=self.timestamps.isChecked(),
            device_name=self.device.currentData(),
            chunk_ms=self.chunk_ms.value(),
            noise_suppression=self.noise.currentIndex(),
            auto_gain_dbfs=self.gain.value(),
            preroll_ms=self.preroll.value(),
            close_mic_when_idle=self.close_mic.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            start_minimized=self.start_minimized.isChecked(),
            **self.hotkey.edited(), **self.history.edited(), **self.models.edited(),  # type: ignore[arg-type]
            **self.text_tab.edited(),  # type: ignore[arg-type]
            **self.privacy.edited(),  # type: ignore[arg-type]
        )

    def result_settings(self) -> Settings:
        return self._result

    def done(self, result: int) -> None:
        self.models.shutdown()  # a download still running is cancelled (it resumes later)
        super().done(result)

    def accept(self) -> None:
        try:
            if self.hotkey.problem():  # also pairs Settings.validate() does not compare
                raise SettingsError(self.hotkey.problem())
            if self.transcription.problem():
                raise SettingsError(self.transcription.problem())
            settings = self.collect().validate()
        except SettingsError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        if not self._store_key():
            return
        self._result = settings
        self.api_key.clear()  # the key is not kept in the widget tree longer than needed
        super().accept()

    def _store_key(self) -> bool:
        key = self.api_key.text().strip()
        if not key:
            return True
        if not self.keyring_available and not self.session_only.isChecked():
            self.problem.setText("There is no OS keyring to save the key in: tick “Use this "
                                 "key for this run only” or clear the key field.")
            self.problem.show()
            return False
        self.api_key_entered.emit(key, self.keyring_available)
        return True


def _check_with_note(page: QWidget, form: QFormLayout, name: str, value: bool) -> QCheckBox:
    """A setting's checkbox with its help text below it, in grey."""
    spec = field_spec(name)
    box = QCheckBox(spec.label, page)
    box.setObjectName(name)
    box.setChecked(value)
    box.setToolTip(spec.help)
    note = QLabel(spec.help, page)
    note.setWordWrap(True)
    note.setStyleSheet("color: #6b7280;")
    form.addRow("", box)
    form.addRow("", note)
    return box
