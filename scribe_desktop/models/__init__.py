"""Whisper model management for the offline engine (filesystem + huggingface_hub; no Qt).

No Qt; nothing here downloads unless asked. `ModelStore` lists, locates, removes, downloads
(`ModelStore.download`) and imports (`ModelStore.import_model`) CTranslate2 Whisper models;
`catalogue` says which models exist. Every failure is a `ModelsError` whose `str()` is one line
for the user. Downloads and imports are blocking calls made for a worker thread, with a
progress callback and a `CancelToken`.
"""

from __future__ import annotations

from .catalogue import CATALOGUE, ModelSpec, whisper_languages
from .errors import (
    AlreadyInstalledError,
    CancelledError,
    DiskFullError,
    DownloadBusyError,
    IntegrityError,
    InvalidModelError,
    InvalidNameError,
    ModelsError,
    NetworkError,
    NotInstalledError,
    RemoteError,
    RemoteNotFoundError,
    StoreIOError,
    StorePermissionError,
    UnknownModelError,
)
from .progress import CancelToken, Phase, Progress, ProgressCallback
from .store import InstalledModel, ModelStore, PartialDownload, default_root

__all__ = [
    "CATALOGUE",
    "AlreadyInstalledError",
    "CancelToken",
    "CancelledError",
    "DiskFullError",
    "DownloadBusyError",
    "InstalledModel",
    "IntegrityError",
    "InvalidModelError",
    "InvalidNameError",
    "ModelSpec",
    "ModelStore",
    "ModelsError",
    "NetworkError",
    "NotInstalledError",
    "PartialDownload",
    "Phase",
    "Progress",
    "ProgressCallback",
    "RemoteError",
    "RemoteNotFoundError",
    "StoreIOError",
    "StorePermissionError",
    "UnknownModelError",
    "default_root",
    "whisper_languages",
]
