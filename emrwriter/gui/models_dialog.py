"""Choose the model and the engine settings; add GGUF files to the user's models folder.

Model metadata is read on the GUI thread (find_models takes ~0.2 s per file): fine
for the handful of models a ward PC holds; move it to a thread if that grows."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..engine.base import EngineError
from ..engine.models import ModelInfo
from ..paths import user_data_dir
from ..workflow import check_server, find_models, load_vocab, read_model_info, server_models, server_settings
from .settings import EngineSettings

log = logging.getLogger(__name__)

COPY_CHUNK = 8 * 1024 * 1024
SHOW_COPY_PROGRESS_OVER = 64 * 1024 * 1024  # smaller files copy in a blink
MIN_CONTEXT = 512
MAX_GPU_LAYERS = 999
UNKNOWN_CONTEXT_MAX = 1 << 20
WEIGHTS_OVERHEAD = 1.2  # weights in memory are a little larger than the file: buffers, scratch


def available_memory() -> int | None:
    """Bytes of memory free for a new program (MemAvailable), or None when unknown.
    Only Linux is read (/proc/meminfo); on other systems the memory warning is skipped
    rather than adding psutil as a dependency for one label."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        log.debug("could not read /proc/meminfo", exc_info=True)
    return None


def kv_bytes_per_token(path: Path) -> int | None:
    """Bytes of KV cache one token of context takes (f16 keys and values in every layer),
    from the GGUF header; None when the header does not say (then only weights are counted)."""
    try:
        vocab = load_vocab(path)
    except EngineError:
        return None
    try:
        meta = vocab.metadata()
    finally:
        vocab.close()
    arch = meta.get("general.architecture", "")

    def number(key: str) -> int:
        value = meta.get(f"{arch}.{key}", "")
        return int(value) if value.isdigit() else 0

    layers, embedding, heads = number("block_count"), number("embedding_length"), number("attention.head_count")
    kv_heads = number("attention.head_count_kv") or heads
    head_size = number("attention.key_length") or (embedding // heads if heads else 0)
    if not (layers and kv_heads and head_size):
        return None
    return 2 * layers * kv_heads * head_size * 2


class ModelsDialog(QDialog):
    """The models we can use, a way to add one, and the engine settings. OK saves them."""

    COLUMNS = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models and engine settings"))
        self._saved = EngineSettings.load()
        self._models: list[ModelInfo] = []
        self._kv_cache: dict[Path, int | None] = {}
        cpus = os.cpu_count() or 1

        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Size (MB)"), self.tr("Quantisation"), self.tr("Context length"), self.tr("Source")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QPushButton(self.tr("Add model..."))
        self.add_button.clicked.connect(self.add_model)

        self.threads = QSpinBox()
        self.threads.setRange(1, cpus)
        self.threads.setValue(min(self._saved.threads or cpus, cpus))
        self.context = QSpinBox()
        self.context.setRange(0, UNKNOWN_CONTEXT_MAX)
        self.context.setSingleStep(512)
        self.context.setSpecialValueText(self.tr("Model's own"))
        self.context.setKeyboardTracking(False)  # judge the number once typed, not "1" on the way to "1024"
        self.context.setValue(self._saved.context_cap or 0)
        self.context.valueChanged.connect(self._context_changed)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(0, MAX_GPU_LAYERS)
        self.gpu_layers.setValue(min(self._saved.gpu_layers, MAX_GPU_LAYERS))
        self.memory_warning = QLabel()
        self.memory_warning.setWordWrap(True)
        self.memory_warning.setStyleSheet("color: #d35400;")
        self.memory_warning.hide()

        engine_box = QGroupBox(self.tr("Engine"))
        form = QFormLayout(engine_box)
        form.addRow(self.tr("CPU threads:"), self.threads)
        form.addRow(self.tr("Context size (tokens):"), self.context)
        form.addRow(self.tr("GPU layers:"), self.gpu_layers)

        server_box = self._server_box()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.problems)
        layout.addLayout(add_row)
        layout.addWidget(engine_box)
        layout.addWidget(self.memory_warning)
        layout.addWidget(server_box)
        layout.addWidget(buttons)
        self.resize(760, 640)
        self.refresh(select=self._saved.model_path)

    # -- the list -------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Read the models again and select ``select`` (a saved model path, "" for the default)."""
        if select is None:
            current = self.selected_model()
            select = _setting_path(current) if current else ""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            models, problems = find_models()
            if select and not any(str(m.path) == select for m in models):
                try:  # a file chosen elsewhere before: list it, or say why it is gone
                    models.append(read_model_info(Path(select)))
                except EngineError as exc:
                    problems.append(self.tr("The chosen model cannot be used: {problem}").format(problem=exc))
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._models = models
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        sources = {"default": self.tr("bundled default"), "models": self.tr("models folder"), "path": self.tr("chosen file")}
        self.table.setRowCount(len(models))
        for row, info in enumerate(models):
            cells = [
                info.name,
                f"{info.size_bytes / 1_048_576:.0f}",
                info.quantization,
                str(info.context_length) if info.context_length else self.tr("unknown"),
                sources.get(info.source, info.source),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column in (1, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        wanted = next((row for row, m in enumerate(models) if _setting_path(m) == select), 0 if models else -1)
        if wanted >= 0:
            self.table.selectRow(wanted)
        self._selection_changed()

    def selected_model(self) -> ModelInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self._models[rows[0].row()] if rows and rows[0].row() < len(self._models) else None

    def engine_settings(self) -> EngineSettings:
        """The settings as chosen in the dialog (saved by OK). Threads equal to the number
        of CPUs are kept as "automatic", so the setting follows the machine."""
        model = self.selected_model()
        threads = self.threads.value()
        return EngineSettings(
            threads=None if threads == (os.cpu_count() or 1) else threads,
            context_cap=self.context.value() or None,
            gpu_layers=self.gpu_layers.value(),
            model_path=_setting_path(model) if model else self._saved.model_path,
            use_server=self.use_server.isChecked(),
            server_url=self.server_url.text().strip(),
            server_model=self.server_model.currentText().strip(),
            server_key=self.server_key.text(),
        )

    # -- a shared inference server ---------------------------------------------------

    def _server_box(self) -> QGroupBox:
        """Draft on a shared server (OpenAI-compatible: llama-server, vLLM, llama-cpp-python)
        instead of this PC: only when ticked and given an address."""
        box = QGroupBox(self.tr("Server"))
        self.use_server = QCheckBox(self.tr("Draft on a shared inference server instead of this computer"))
        self.use_server.setChecked(self._saved.use_server)
        self.server_url = QLineEdit(self._saved.server_url)
        self.server_url.setPlaceholderText("https://llm.hospital.example:8443")
        self.server_model = QComboBox()
        self.server_model.setEditable(True)
        self.server_model.setCurrentText(self._saved.server_model)
        self.server_model.lineEdit().setPlaceholderText(self.tr("the server's only model"))
        self.server_key = QLineEdit(self._saved.server_key)
        self.server_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.server_key.setPlaceholderText(self.tr("from the site configuration, or type it (kept until you quit)"))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.server_result = QLabel()
        self.server_result.setWordWrap(True)
        self.server_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(box)
        form.addRow(self.use_server)
        form.addRow(self.tr("Address:"), self.server_url)
        form.addRow(self.tr("Model:"), self.server_model)
        form.addRow(self.tr("API key:"), self.server_key)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.server_result, 1)
        form.addRow(row)
        self.use_server.toggled.connect(self._server_toggled)
        self._server_toggled(self.use_server.isChecked())
        return box

    def _server_toggled(self, on: bool) -> None:
        for widget in (self.server_url, self.server_model, self.server_key, self.test_button):
            widget.setEnabled(on)

    def test_connection(self) -> bool:
        """Ask the server for its models and context (on this thread, with short timeouts:
        a few seconds at most); fill the model list; say the result in one line."""
        try:
            settings = server_settings(
                self.server_url.text().strip(), self.server_model.currentText().strip(), api_key=self.server_key.text() or None
            )
            settings = replace(settings, retries=0, connect_timeout=5.0)
        except EngineError as exc:
            return self._server_said(False, str(exc))
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            models = server_models(settings)
            ok, line = check_server(settings)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if models:
            chosen = self.server_model.currentText()
            self.server_model.clear()
            self.server_model.addItems(models)
            self.server_model.setCurrentText(chosen if chosen in models else (models[0] if len(models) == 1 else chosen))
        return self._server_said(ok, line)

    def _server_said(self, ok: bool, line: str) -> bool:
        self.server_result.setText(("✔ " if ok else "✘ ") + line)
        self.server_result.setStyleSheet("" if ok and "unencrypted" not in line else "color: #c0392b;")
        return ok

    def accept(self) -> None:
        self.engine_settings().save()
        super().accept()

    # -- adding a model -------------------------------------------------------------

    def add_model(self) -> None:
        """Copy a GGUF file the user picks into the user's models folder, after checking it is a model."""
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Add a GGUF model"), "", self.tr("GGUF models (*.gguf)"))
        if not name:
            return
        source = Path(name)
        try:
            read_model_info(source)
        except EngineError as exc:
            QMessageBox.warning(self, self.tr("Not a usable model"), str(exc))
            return
        folder = user_data_dir() / "models"
        target = folder / source.name
        if target.exists():
            QMessageBox.warning(
                self,
                self.tr("Model already there"),
                self.tr("{folder} already holds a file named {name}; rename the new file to add it as well.").format(
                    folder=folder, name=source.name
                ),
            )
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Could not add the model"), str(exc))
            return
        if self._copy(source, target):
            log.info("added model %s", target)
            self.refresh(select=str(target))

    def _copy(self, source: Path, target: Path) -> bool:
        """Copy to a temporary name, then rename: a cancelled or failed copy leaves no half model."""
        part = target.with_name(target.name + ".part")
        size = source.stat().st_size
        progress = None
        if size > SHOW_COPY_PROGRESS_OVER:
            progress = QProgressDialog(
                self.tr("Copying {name} to {folder}...").format(name=source.name, folder=target.parent),
                self.tr("Cancel"),
                0,
                1000,
                self,
            )
            progress.setWindowModality(Qt.WindowModality.WindowModal)  # so setValue keeps events flowing
            progress.setMinimumDuration(0)
        try:
            cancelled = False
            with source.open("rb") as src, part.open("wb") as dst:
                copied = 0
                while not cancelled and (chunk := src.read(COPY_CHUNK)):
                    dst.write(chunk)
                    copied += len(chunk)
                    if progress is not None:
                        progress.setValue(min(999, copied * 1000 // size))
                        cancelled = progress.wasCanceled()
                if not cancelled:
                    dst.flush()
                    os.fsync(dst.fileno())
            if cancelled:
                part.unlink(missing_ok=True)
                log.info("copying %s was cancelled", source)
                return False
            os.replace(part, target)
            return True
        except OSError as exc:
            part.unlink(missing_ok=True)
            QMessageBox.warning(self, self.tr("Could not add the model"), str(exc))
            return False
        finally:
            if progress is not None:
                progress.close()
                progress.deleteLater()

    # -- settings that depend on the model ----------------------------------------------

    def _selection_changed(self) -> None:
        model = self.selected_model()
        maximum = model.context_length if model and model.context_length else UNKNOWN_CONTEXT_MAX
        self.context.setMaximum(max(MIN_CONTEXT, maximum))
        self._update_memory_warning()

    def _context_changed(self, value: int) -> None:
        if 0 < value < MIN_CONTEXT:
            self.context.setValue(MIN_CONTEXT)  # re-enters with a valid value
            return
        self._update_memory_warning()

    def _update_memory_warning(self) -> None:
        """Warn (not forbid) when weights plus the KV cache at the chosen context exceed free
        memory. GPU offload is ignored: the estimate is for a CPU-only run, the common case."""
        model = self.selected_model()
        free = available_memory()
        if model is None or free is None:
            self.memory_warning.hide()
            return
        if model.path not in self._kv_cache:
            self._kv_cache[model.path] = kv_bytes_per_token(model.path)
        per_token = self._kv_cache[model.path] or 0
        context = self.context.value() or model.context_length
        need = int(model.size_bytes * WEIGHTS_OVERHEAD) + per_token * context
        if need <= free:
            self.memory_warning.hide()
            return
        self.memory_warning.setText(
            self.tr(
                "This model may need about {need:.1f} GB of memory at this context size, but only {free:.1f} GB is free. "
                "Drafting may fail or slow the computer down; choose a smaller model or context size."
            ).format(need=need / 2**30, free=free / 2**30)
        )
        self.memory_warning.show()


def _setting_path(model: ModelInfo) -> str:
    """How a model is saved in the settings: "" for the bundled default, else its path."""
    return "" if model.source == "default" else str(model.path)
