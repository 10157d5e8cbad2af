"""The settings dialog's "Models" tab: the offline engine and the Whisper models for it.

Every model of the catalogue with its size, languages and state (installed, partly
downloaded, available); Download (with progress and Cancel), Remove, and which model the
local server runs: automatically the best installed (the default), or one chosen by name,
or pocketsphinx. Nothing is downloaded unless the user asks. `edited()` returns the
`local_engine` / `local_model` fields; downloads and removals happen at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.backend_kind import LocalEngine
from ..models import CATALOGUE, InstalledModel, ModelsError, ModelSpec, ModelStore
from ..qt.model_download import ModelDownload
from ..qt.settings import Settings
from ..session.error_model import UserError

COLUMNS = ("Model", "Languages", "Size", "State")
CATALOGUE_NAMES = frozenset(spec.name for spec in CATALOGUE)
MB = 1024 * 1024


def _size(bytes_: int) -> str:
    return f"{bytes_ / MB:,.0f} MB" if bytes_ >= MB else f"{bytes_ / 1024:,.0f} KB"


class ModelsTab(QWidget):
    """See the module docstring. `store` and `endpoint` are the model store and the download
    source (None: the default, or $SCRIBE_DESKTOP_HF_ENDPOINT)."""

    models_changed = Signal()  # a model was installed or removed

    def __init__(self, settings: Settings, store: ModelStore | None = None, *,
                 endpoint: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelsTab")
        self.store = store or ModelStore()
        self.endpoint = endpoint
        self.download: ModelDownload | None = None
        self._chosen_model = settings.local_model

        layout = QVBoxLayout(self)
        intro = QLabel("The offline engine runs on this computer. Whisper models are far "
                       "more accurate than the built-in engine; download one once.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.auto = QRadioButton("Use the best model installed (recommended)", self)
        self.chosen = QRadioButton("Use the selected model", self)
        self.builtin = QRadioButton("Use the built-in engine (pocketsphinx, English, "
                                    "no download, less accurate)", self)
        self.engine_group = QButtonGroup(self)
        for button in (self.auto, self.chosen, self.builtin):
            self.engine_group.addButton(button)
            layout.addWidget(button)
        {LocalEngine.AUTO: self.auto, LocalEngine.WHISPER: self.chosen,
         LocalEngine.POCKETSPHINX: self.builtin}[settings.local_engine].setChecked(True)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("modelsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.download_button = QPushButton("Download", self)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button = QPushButton("Cancel download", self)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self.remove_selected)
        for push in (self.download_button, self.cancel_button, self.remove_button):
            buttons.addWidget(push)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("modelProgress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = QLabel(self)
        self.status.setObjectName("modelStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.refresh()
        self._select(settings.local_model)

    # -- the table ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the store and show every catalogue model (and imported ones)."""
        selected = self.selected_name()
        try:
            installed = {m.name: m for m in self.store.list_installed()}
            partial = {p.name: p for p in self.store.partial_downloads()}
            total = self.store.total_disk_use()
        except (ModelsError, OSError) as exc:
            installed, partial, total = {}, {}, 0
            self.status.setText(f"The model folder cannot be read: {exc}")
        specs: list[ModelSpec | str] = [*CATALOGUE]
        specs += [name for name in installed if name not in CATALOGUE_NAMES]
        self.table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            name = spec if isinstance(spec, str) else spec.name
            model = installed.get(name)
            if isinstance(spec, str):
                languages, size = "(imported)", _size(self.store.disk_use(name))
            else:
                languages = "English" if not spec.multilingual else \
                    f"{len(spec.languages)} languages"
                size = _size(self.store.disk_use(name)) if model else f"~{spec.size_mb} MB"
            state = "Installed" if model else (
                f"Partly downloaded ({_size(partial[name].size_bytes)})" if name in partial
                else "Available")
            for column, text in enumerate((name, languages, size, state)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, name)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if self.download is None:
            self.status.setText(f"Models use {_size(total)} in {self.store.root}.")
        self._select(selected)
        self._update_buttons()

    def selected_name(self) -> str | None:
        items = self.table.selectedItems()
        return None if not items else str(items[0].data(Qt.ItemDataRole.UserRole))

    def _select(self, name: str | None) -> None:
        if not name:
            return
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        name = self.selected_name()
        busy = self.download is not None and self.download.running
        installed = name is not None and self.store.is_installed(name)
        self.download_button.setEnabled(bool(name) and not installed and not busy
                                        and name in CATALOGUE_NAMES)
        self.remove_button.setEnabled(installed and not busy)
        self.cancel_button.setVisible(busy)

    # -- actions ----------------------------------------------------------------------------------

    def start_download(self) -> ModelDownload | None:
        """Download the selected model (in the background; progress below the table)."""
        name = self.selected_name()
        if name is None or (self.download is not None and self.download.running):
            return None
        download = ModelDownload(self.store, name, endpoint=self.endpoint, parent=self)
        download.progress.connect(self._on_progress)
        download.finished.connect(self._on_finished)
        download.failed.connect(self._on_failed)
        download.cancelled.connect(self._on_cancelled)
        self.download = download
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"Downloading {name}…")
        download.start()
        self._update_buttons()
        return download

    def cancel_download(self) -> None:
        if self.download is not None:
            self.download.cancel()
            self.status.setText("Cancelling… (what was downloaded is kept for next time)")

    def remove_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        try:
            freed = self.store.remove(name)
        except ModelsError as exc:
            self.status.setText(str(exc))
            return
        self.refresh()
        self.status.setText(f"Removed {name} ({_size(freed)} freed).")
        self.models_changed.emit()

    def _on_progress(self, done: int, total: int, phase: str) -> None:
        del phase
        if total and self.download is not None:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(done / total, 1.0)))
            self.status.setText(f"Downloading {self.download.name}: {_size(done)} of "
                                f"{_size(total)}")

    def _on_finished(self, model: InstalledModel) -> None:
        self._ended(f"{model.name} is installed.")
        self._select(model.name)
        self.models_changed.emit()

    def _on_failed(self, error: UserError) -> None:
        self._ended(f"The download failed: {error.message}")

    def _on_cancelled(self) -> None:
        self._ended("Download cancelled; it resumes where it stopped next time.")

    def _ended(self, message: str) -> None:
        self.download = None
        self.progress.hide()
        self.refresh()
        self.status.setText(message)

    # -- the settings ------------------------------------------------------------------------

    def edited(self) -> dict[str, object]:
        """`local_engine` and `local_model` as chosen here."""
        if self.builtin.isChecked():
            return {"local_engine": LocalEngine.POCKETSPHINX, "local_model": ""}
        if self.chosen.isChecked():
            name = self.selected_name() or self._chosen_model
            return {"local_engine": LocalEngine.WHISPER, "local_model": name or ""}
        return {"local_engine": LocalEngine.AUTO, "local_model": ""}

    def shutdown(self) -> None:
        """Cancel a running download (the dialog is closing)."""
        if self.download is not None:
            self.download.cancel()
