"""The real `DictationWorker` on a `FakeMicrophone` (the test plays PCM into it), talking to
a real local server, recording into a history in a temporary folder."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.history import HistoryStore
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from tests.app.fakes import FakeMicrophone, MemoryKeyring
from tests.app.recorder import Recorder

WorkerRig = tuple[DictationWorker, FakeMicrophone, Recorder, HistoryStore]


@contextlib.asynccontextmanager
async def worker_on_real_server(local_server: Any, history_path: Path,
                                settings: Settings) -> AsyncIterator[WorkerRig]:
    """(worker, microphone, recorder of its signals, history), the microphone open."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                           ApiKeyAuth(local_server.secret))
    mic = FakeMicrophone()
    history = HistoryStore.open(history_path)
    worker = DictationWorker(settings, backend_factory=lambda s: backend,
                             microphone_factory=lambda s: mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())), history=history)
    rec = Recorder(worker)
    await asyncio.wait_for(worker.open_microphone(), 15)
    try:
        yield worker, mic, rec, history
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)
        history.close()
