"""The welcome's last step: the better speech model. It lists the Whisper models of the
catalogue (`models.CATALOGUE`) with their size, languages and whether they are installed in
the `ModelStore`, and downloads the chosen one only when the user presses Download, with a
progress bar and Cancel (`qt.model_download.ModelDownload`: `ModelStore.download` in a thread
with a `CancelToken`). A failure is shown here, in the error table's words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..models import CATALOGUE, InstalledModel, ModelsError, ModelSpec, ModelStore
from ..qt.model_download import ModelDownload
from ..session.user_errors import UserError

RECOMMENDED = "base.en"  # 148 MB, several times more accurate than pocketsphinx on English
COLUMNS = ("Model", "Size", "Languages", "On this computer")
INTRO = ("The built-in engine (pocketsphinx) is small and English-only. A Whisper model "
         "transcribes far better, and multilingual ones know about 99 languages; it is "
         "downloaded once. Nothing is downloaded unless you press Download.")


def _size(spec: ModelSpec) -> str:
    return f"{spec.size_mb / 1000:.1f} GB" if spec.size_mb >= 1000 else f"{spec.size_mb} MB"


class ModelsPage(QWidget):
    """Lists the catalogue; `download()` fetches the selected model."""

    def __init__(self, store: ModelStore, *, endpoint: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeModels")
        self.store = store
        self.endpoint = endpoint
        self.job: ModelDownload | None = None
        self.downloading = False  # from Download until its outcome arrived here
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(CATALOGUE), len(COLUMNS), self)
        self.table.setObjectName("modelTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.download_button = QPushButton("Download", self)
        self.download_button.setObjectName("downloadModel")
        self.download_button.clicked.connect(self.download)
        self.cancel_button = QPushButton("Cancel download", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("modelProgress")
        self.status = QLabel(self)
        self.status.setObjectName("modelStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()
        self.select(RECOMMENDED)
        self._set_running(False)

    def refresh(self) -> None:
        """Fill the table, reading what is installed now."""
        try:
            installed = {m.name for m in self.store.list_installed()}
        except ModelsError as exc:
            installed = set()
            self.status.setText(f"The model folder cannot be read: {exc}")
        for row, spec in enumerate(CATALOGUE):
            languages = "99 languages" if spec.multilingual else "English"
            here = "Installed" if spec.name in installed else "—"
            name = f"{spec.name} (recommended)" if spec.name == RECOMMENDED else spec.name
            for column, text in enumerate((name, _size(spec), languages, here)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, spec.name)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def select(self, name: str) -> None:
        rows = [n for n, spec in enumerate(CATALOGUE) if spec.name == name]
        if rows:
            self.table.selectRow(rows[0])

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _update_buttons(self) -> None:
        name = self.selected()
        running = self.downloading
        installed = name is not None and self.store.is_installed(name)
        self.download_button.setEnabled(bool(name) and not running and not installed)
        self.download_button.setText("Installed" if installed else "Download")

    def _set_running(self, running: bool) -> None:
        self.downloading = running
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self._update_buttons()

    # -- downloading -----------------------------------------------------------------------
    def download(self) -> ModelDownload | None:
        """Download the selected model (the user pressed Download)."""
        name = self.selected()
        if name is None or self.downloading:
            return None
        job = ModelDownload(self.store, name, endpoint=self.endpoint, parent=self)
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        self.job = job
        self.progress.setRange(0, 0)
        self.status.setText(f"Downloading {name}…")
        job.start()
        self._set_running(True)
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, phase: str) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(1000 * min(done / total, 1.0)))
            self.progress.setFormat(f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")
        self.status.setText(f"{phase.capitalize()}…")

    def _on_finished(self, model: object) -> None:
        name = model.name if isinstance(model, InstalledModel) else self.selected()
        self.status.setText(f"{name} is installed. The local server can now use it instead "
                            "of pocketsphinx.")
        self._done()

    def _on_failed(self, error: object) -> None:
        if isinstance(error, UserError):
            self.status.setText(f"{error.title}: {error.message}")
        self._done()

    def _on_cancelled(self) -> None:
        self.status.setText("Download cancelled. What was fetched is kept: the next download "
                            "resumes from there.")
        self._done()

    def _done(self) -> None:
        self._set_running(False)
        self.refresh()
