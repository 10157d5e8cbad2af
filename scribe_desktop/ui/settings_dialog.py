"""The settings dialog: backend and API key, transcription options, audio, the dictation
hotkey (hotkey_settings.py), text shaping and vocabulary (text_settings.py), history
(history_settings.py), window.

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

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..audio.processing import ECHO_CANCELLATION_NOTE
from ..core.backend_kind import BackendKind
from ..hotkey.backends import ListenerStatus
from ..models import ModelStore
from ..protocol.options import KNOWN_MODEL_IDS, VAD_RANGES, CommitStrategy, Region
from ..qt.settings import Settings, SettingsError, field_spec
from .cloud_settings import CloudBox, KeyStore
from .history_settings import DiskUsageSource, HistoryTab
from .hotkey_settings import HotkeyTab
from .models_settings import ModelsTab
from .text_settings import TextTab

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "fi", "cs", "tr",
             "ru", "uk", "ja", "ko", "zh", "hi", "ar")
AUTO_LANGUAGE = "Auto-detect"
NOISE_LEVELS = ("Off", "Low", "Moderate", "High", "Very high")


class SettingsDialog(QDialog):
    """Edits `settings`; after `accepted`, `result_settings()` is the new value."""

    test_connection_requested = Signal(object, object)  # Settings, str | None (typed key)
    api_key_entered = Signal(str, bool)  # key, remember (False: this run only, no keyring)

    def __init__(self, settings: Settings, *, key_store: KeyStore | None = None,
                 devices: list[str] | None = None, hotkey_status: ListenerStatus | None = None,
                 history: DiskUsageSource | None = None, models: ModelStore | None = None,
                 parent: QWidget | None = None) -> None:
        """`hotkey_status`: what the app found at launch (None: look now); `history`: the
        store whose disk use the History tab shows (None: no history this run); `models`:
        the Whisper model store (None: the user's)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self._initial = settings
        self._result = settings
        self._key_store = key_store
        tabs = QTabWidget(self)
        tabs.addTab(self._backend_tab(settings), "Backend")
        tabs.addTab(self._transcription_tab(settings), "Transcription")
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
        self._update_ok()
        self._on_backend_changed()
        self._on_strategy_changed()

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

        self.cloud_box = CloudBox(s, self._key_store, page)
        box = self.cloud_box
        self.api_key, self.key_status, self.remove_key = box.api_key, box.key_status, \
            box.remove_key
        self.session_only, self.region, self.single_use = box.session_only, box.region, \
            box.single_use
        self.test_button, self.test_result = box.test_button, box.test_result
        self.test_button.clicked.connect(self._request_test)
        form.addRow(self.cloud_box)

        self.model_id = QComboBox(page)
        self.model_id.setEditable(True)
        self.model_id.addItems(KNOWN_MODEL_IDS)
        self.model_id.setCurrentText(s.model_id)
        form.addRow(field_spec("model_id").label + ":", self.model_id)
        return page

    def _transcription_tab(self, s: Settings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.language = QComboBox(page)
        self.language.setEditable(True)
        self.language.addItem(AUTO_LANGUAGE)
        self.language.addItems(LANGUAGES)
        self.language.setCurrentText(s.language or AUTO_LANGUAGE)
        self.language.setToolTip(field_spec("language").help)
        form.addRow(field_spec("language").label + ":", self.language)
        self.strategy = QComboBox(page)
        self.strategy.addItem("Automatic (voice activity detection)", CommitStrategy.VAD)
        self.strategy.addItem("Manual (Commit now / stop)", CommitStrategy.MANUAL)
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(s.commit_strategy)))
        self.strategy.currentIndexChanged.connect(self._on_strategy_changed)
        form.addRow(field_spec("commit_strategy").label + ":", self.strategy)

        self.vad_box = QGroupBox("Voice activity detection", page)
        vad = QFormLayout(self.vad_box)
        self.vad_silence = _double_spin("vad_silence_threshold_secs", 0.1, 2,
                                        s.vad_silence_threshold_secs, " s")
        self.vad_threshold = _double_spin("vad_threshold", 0.05, 2, s.vad_threshold, "")
        self.min_speech = _int_spin("min_speech_duration_ms", 10, s.min_speech_duration_ms,
                                    " ms")
        self.min_silence = _int_spin("min_silence_duration_ms", 10, s.min_silence_duration_ms,
                                     " ms")
        for name, spin in (("vad_silence_threshold_secs", self.vad_silence),
                           ("vad_threshold", self.vad_threshold),
                           ("min_speech_duration_ms", self.min_speech),
                           ("min_silence_duration_ms", self.min_silence)):
            low, high = VAD_RANGES[name]
            spin.setToolTip(f"{low:g} to {high:g}")
            vad.addRow(field_spec(name).label + ":", spin)
        form.addRow(self.vad_box)

        self.timestamps = QCheckBox(field_spec("include_timestamps").label, page)
        self.timestamps.setChecked(s.include_timestamps)
        form.addRow("", self.timestamps)
        return page

    def _audio_tab(self, s: Settings, devices: list[str]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.device = QComboBox(page)
        self.device.addItem("System default", None)
        for name in devices:
            self.device.addItem(name, name)
        if s.device_name and s.device_name not in devices:
            self.device.addItem(f"{s.device_name} (not connected)", s.device_name)
        self.device.setCurrentIndex(max(0, self.device.findData(s.device_name))
                                    if s.device_name else 0)
        form.addRow(field_spec("device_name").label + ":", self.device)
        self.chunk_ms = _int_spin("chunk_ms", 10, s.chunk_ms, " ms")
        form.addRow(field_spec("chunk_ms").label + ":", self.chunk_ms)
        self.noise = QComboBox(page)
        self.noise.addItems(NOISE_LEVELS)
        self.noise.setCurrentIndex(s.noise_suppression)
        form.addRow(field_spec("noise_suppression").label + ":", self.noise)
        self.gain = _int_spin("auto_gain_dbfs", 1, s.auto_gain_dbfs, " dB")
        self.gain.setSpecialValueText("Off")
        self.gain.setToolTip(field_spec("auto_gain_dbfs").label)
        form.addRow("Automatic gain:", self.gain)
        self.preroll = _int_spin("preroll_ms", 50, s.preroll_ms, " ms")
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
        return page

    # -- behaviour -------------------------------------------------------------------------
    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.text_tab.is_valid() and self.hotkey.is_valid())

    def _on_backend_changed(self) -> None:
        self.cloud_box.setEnabled(self.backend.currentData() == BackendKind.CLOUD)

    def _on_strategy_changed(self) -> None:
        self.vad_box.setEnabled(self.strategy.currentData() == CommitStrategy.VAD)

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
        language = self.language.currentText().strip()
        return dataclasses.replace(
            self._initial,
            backend=BackendKind(self.backend.currentData()),
            region=Region(self.region.currentData()),
            model_id=self.model_id.currentText().strip(),
            single_use_tokens=self.single_use.isChecked(),
            language="" if language in ("", AUTO_LANGUAGE) else language.lower(),
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


def _double_spin(name: str, step: float, decimals: int, value: float,
                 suffix: str) -> QDoubleSpinBox:
    low, high = VAD_RANGES[name]
    spin = QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


def _int_spin(name: str, step: int, value: int, suffix: str) -> QSpinBox:
    spec = field_spec(name)
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(int(spec.low or 0), int(spec.high or 0))
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin
