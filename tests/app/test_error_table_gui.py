"""Every error the app can show, caused for real and read from the real window: its title,
its text naming the cause, and its one button, which is pressed and does what it says (Open
Settings lands on the named field, Try again tries again, Show log asks for the log, Get a
speech model opens the welcome's model step). The table is complete: every error kind has a
case here, and every exception type the table explains is raised by one of them."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scribe_desktop.audio.capture_events import CaptureWarning, WarningKind
from scribe_desktop.audio.file_source import FileSourceError
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.client.errors import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    ScribeServerError,
    TokenMintError,
)
from scribe_desktop.connect import (
    POCKETSPHINX,
    UNKNOWN,
    BackendStatus,
    CloudBackend,
    FixedBackend,
    LocalBackend,
    LocalServerDiedError,
    LocalServerError,
    MissingApiKeyError,
    SecretsError,
    SecretsUnavailableError,
    UnsupportedLanguageError,
)
from scribe_desktop.connect.base import Connection
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import RedactionMissingError
from scribe_desktop.models import ModelsError, ModelStore, NotInstalledError
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.options import OptionsError
from scribe_desktop.qt.settings import Settings
from scribe_desktop.session.file_transcription import FileTranscriptionError, StreamPolicy
from scribe_desktop.session.live import CommitTimeoutError
from scribe_desktop.session.mic_test import MicTestBusyError
from scribe_desktop.session.user_errors import (
    GET_MODEL,
    OPEN_SETTINGS,
    SHOW_LOG,
    TRY_AGAIN,
    AppErrorKind,
    ErrorKind,
    explained_types,
)
from scribe_desktop.ui.export_dialog import ExportDialog
from tests.client.scripted_server import Peer, hold_open, scripted_server

from .error_scenes import (
    MANUAL,
    Fixtures,
    LockedKeyring,
    Scene,
    Shown,
    free_port,
    not_websocket,
    plain_http,
    silent,
    tcp_server,
)
from .fakes import NoKeyring
from .ui_fakes import segment
from .widget_shots import save_shot

Run = Callable[[Fixtures], Awaitable[tuple[Scene | None, Shown]]]
CLOUD_SETTINGS = Settings(backend=BackendKind.CLOUD, commit_strategy=MANUAL.commit_strategy)


@dataclass(frozen=True)
class Case:
    kind: ErrorKind
    title: str
    needle: str  # words of the real cause the text must hold
    action: str | None
    raised: type[BaseException]  # the exception type the case makes the app meet
    run: Run
    field: str | None = None  # the Settings field "Open Settings" must land on
    slow: bool = False


CASES: list[Case] = []


def case(kind: ErrorKind, title: str, needle: str, action: str | None,
         raised: type[BaseException], field: str | None = None,
         slow: bool = False) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES.append(Case(kind, title, needle, action, raised, run, field, slow))
        return run
    return register


# -- the 14 server errors (§6.10), sent by a scripted server as ElevenLabs sends them -------

SERVER_CASES: dict[ErrorType, tuple[str, str, str | None, str | None]] = {
    ErrorType.ERROR: ("Server error", "reported an internal error", TRY_AGAIN, None),
    ErrorType.AUTH_ERROR: ("API key rejected", "API key was rejected", OPEN_SETTINGS,
                           "api_key"),
    ErrorType.QUOTA_EXCEEDED: ("Quota used up", "quota is used up", OPEN_SETTINGS, "backend"),
    ErrorType.TRANSCRIBER_ERROR: ("Transcriber failed", "failed on this audio", TRY_AGAIN,
                                  None),
    ErrorType.INPUT_ERROR: ("Audio not accepted", "could not read the audio", OPEN_SETTINGS,
                            "device_name"),
    ErrorType.INVALID_REQUEST: ("Language not supported", "language_code 'xx' is not "
                                "supported", OPEN_SETTINGS, "language"),
    ErrorType.COMMIT_THROTTLED: ("Commit too short", "under 0.3 s", None, None),
    ErrorType.UNACCEPTED_TERMS: ("Terms not accepted", "terms of service", TRY_AGAIN, None),
    ErrorType.RATE_LIMITED: ("Too many requests", "rate-limiting", TRY_AGAIN, None),
    ErrorType.QUEUE_OVERFLOW: ("Server overloaded", "queue is full", TRY_AGAIN, None),
    ErrorType.RESOURCE_EXHAUSTED: ("Server at capacity", "at capacity", TRY_AGAIN, None),
    ErrorType.SESSION_TIME_LIMIT_EXCEEDED: ("Time limit reached", "time limit", TRY_AGAIN,
                                            None),
    ErrorType.CHUNK_SIZE_EXCEEDED: ("Audio chunk too large", "too large", OPEN_SETTINGS,
                                    "chunk_ms"),
    ErrorType.INSUFFICIENT_AUDIO_ACTIVITY: ("No audio", "no audio arrived", TRY_AGAIN, None),
}


def _server_case(error_type: ErrorType) -> Run:
    async def run(_fx: Fixtures) -> tuple[Scene | None, Shown]:
        async def script(peer: Peer) -> None:
            text = "The language_code 'xx' is not supported." \
                if error_type == ErrorType.INVALID_REQUEST else "as the server words it"
            await peer.send({"message_type": error_type.value, "error": text})
            await peer.close(1008 if error_type == ErrorType.INVALID_REQUEST else 1011)

        async with scripted_server(script) as server:  # ElevenLabs, as far as the app knows
            scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")),
                          CLOUD_SETTINGS)
            return scene, await scene.dictate_until_error()
    return run


for _type, (_title, _needle, _action, _field) in SERVER_CASES.items():
    case(_type, _title, _needle, _action, ScribeServerError, _field)(_server_case(_type))


# -- the connection ------------------------------------------------------------------------

@case(AppErrorKind.HANDSHAKE_REJECTED, "Connection refused", "HTTP 403", OPEN_SETTINGS,
      HandshakeRejectedError, "api_key")
async def handshake_rejected(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """The upgrade answered with HTTP 403 instead of 101 (rule C10: a rejected key)."""
    async with scripted_server(hold_open, reject_status=403) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("bad")),
                      CLOUD_SETTINGS)
        return scene, await scene.dictate_until_error()


@case(AppErrorKind.CONNECT_FAILED, "Cannot connect", "did not answer as a transcription",
      OPEN_SETTINGS, ConnectError, "region")
async def not_a_scribe_server(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async with tcp_server(not_websocket) as port:
        scene = Scene(FixedBackend(Endpoint(base_url=f"http://127.0.0.1:{port}"),
                                   ApiKeyAuth("k")), CLOUD_SETTINGS)
        return scene, await scene.dictate_until_error()


@case(AppErrorKind.NO_NETWORK, "No network", "no working network connection", OPEN_SETTINGS,
      ConnectError, "backend")
async def no_route(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """A documentation-only IPv6 address: this machine has no route to it (EHOSTUNREACH)."""
    scene = Scene(FixedBackend(Endpoint(base_url="ws://[2001:db8::1]:443"), ApiKeyAuth("k")))
    return scene, await scene.dictate_until_error()


@case(AppErrorKind.HOST_NOT_FOUND, "Server not found",
      "host name api.scribe.invalid could not be resolved", OPEN_SETTINGS, TokenMintError,
      "backend")
async def dns_failure_while_minting_a_token(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """The cloud backend with single-use tokens and no DNS for its host (finding 2)."""
    settings = Settings(backend=BackendKind.CLOUD, commit_strategy=MANUAL.commit_strategy)
    scene = Scene(CloudBackend(_keys("sk_test"), base_url="https://api.scribe.invalid"),
                  settings)
    shown = await scene.dictate_until_error()
    assert "single-use token" not in shown.text  # not the token service: the network
    return scene, shown


@case(AppErrorKind.CONNECTION_REFUSED, "Local server not answering", "refused the connection",
      TRY_AGAIN, ConnectError)
async def refused(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    port = free_port()
    scene = Scene(FixedBackend(Endpoint(base_url=f"http://127.0.0.1:{port}"), ApiKeyAuth("k")))
    return scene, await scene.dictate_until_error()


@case(AppErrorKind.TLS_FAILED, "Secure connection failed", "secure (TLS) connection",
      TRY_AGAIN, ConnectError)
async def tls_to_a_plain_server(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async with tcp_server(plain_http) as port:
        scene = Scene(FixedBackend(Endpoint(base_url=f"wss://127.0.0.1:{port}"),
                                   ApiKeyAuth("k")))
        return scene, await scene.dictate_until_error()


@case(AppErrorKind.TIMED_OUT, "No answer", "did not answer in time", TRY_AGAIN,
      ConnectError, slow=True)
async def server_that_never_answers(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """The connection opens but the upgrade is never answered (10 s connect timeout)."""
    async with tcp_server(silent) as port:
        scene = Scene(FixedBackend(Endpoint(base_url=f"http://127.0.0.1:{port}"),
                                   ApiKeyAuth("k")))
        return scene, await scene.dictate_until_error(30)


@case(AppErrorKind.CONNECTION_LOST, "Connection lost", "could not be restored", TRY_AGAIN,
      ConnectionLostError)
async def server_drops_the_session(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async def script(peer: Peer) -> None:
        await peer.start()
        peer.ws.transport.abort()  # the connection drops without a close frame

    async with scripted_server(script) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")))
        return scene, await scene.dictate_until_error()


def _keys(key: str | None) -> Any:
    from scribe_desktop.connect import ApiKeys
    from scribe_desktop.connect.keyring_store import ApiKeyStore

    from .fakes import MemoryKeyring

    store = ApiKeyStore(MemoryKeyring())
    if key:
        store.set_api_key(key)
    return ApiKeys(store)


@case(AppErrorKind.TOKEN_MINT_FAILED, "Cannot get a session token", "HTTP 503", TRY_AGAIN,
      TokenMintError)
async def token_service_down(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async def mint(_request: web.Request) -> web.Response:
        return web.json_response({"detail": {"message": "maintenance"}}, status=503)

    app = web.Application()
    app.router.add_post("/v1/single-use-token/realtime_scribe", mint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        settings = Settings(backend=BackendKind.CLOUD, commit_strategy=MANUAL.commit_strategy)
        scene = Scene(CloudBackend(_keys("sk_test"), base_url=f"http://127.0.0.1:{port}"),
                      settings)
        return scene, await scene.dictate_until_error()
    finally:
        await runner.cleanup()


@case(AppErrorKind.COMMIT_TIMEOUT, "No final transcript", "within 0.5 s", None,
      CommitTimeoutError)
async def commit_never_answered(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async with scripted_server(hold_open) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")),
                      commit_timeout_s=0.5)
        await scene.listening()
        await scene.mic.play(b"\x10\x00" * 16000, speed=20.0)
        scene.worker.stop()
        return scene, await scene.wait_error()


async def ignores_redaction(peer: Peer) -> None:
    """Script: a server without `entity_redaction` (§6.8): it commits, never redacts."""
    await peer.start()
    await peer.until_commit()
    await peer.send({"message_type": "committed_transcript", "text": "call 555-123-4567"})
    await peer.wait_closed_by_client()


@case(AppErrorKind.REDACTION_MISSING, "Text withheld", "did not send the redacted form", None,
      RedactionMissingError)
async def redaction_never_came(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async with scripted_server(ignores_redaction) as server:
        settings = dataclasses.replace(MANUAL, redact_entities=True)
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")),
                      settings)
        await scene.listening()
        await scene.mic.play(b"\x10\x00" * 16000, speed=20.0)
        scene.worker.stop()
        shown = await scene.wait_error()
        assert server.last.query_dict().get("entity_redaction") == "all"
        assert scene.rec.segments == []  # the raw commit never reached the window
        return scene, shown


# -- the local server ----------------------------------------------------------------------

@case(AppErrorKind.LOCAL_SERVER_FAILED, "Local server unavailable", "could not be started",
      SHOW_LOG, LocalServerError, slow=True)
async def local_server_cannot_start(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    scene = Scene(LocalBackend("--no-such-option"))
    return scene, await scene.dictate_until_error(60)


@case(AppErrorKind.LOCAL_SERVER_DIED, "Local server stopped", "stopped unexpectedly",
      SHOW_LOG, LocalServerDiedError, slow=True)
async def local_server_keeps_dying(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    backend = LocalBackend(max_restarts=0)  # its death is noticed at once (no polling)
    scene = Scene(backend)
    server = await asyncio.wait_for(backend.start(), 60)
    assert server.pid is not None
    caps = backend.capabilities  # what the real server's ready line says
    assert (caps.languages, caps.features, caps.detects_language) == (
        POCKETSPHINX.languages, POCKETSPHINX.features, POCKETSPHINX.detects_language)
    # stopped from outside (SIGTERM: it still takes its engine workers with it)
    os.kill(server.pid, signal.SIGTERM)
    await scene.rec.wait_for(lambda: backend.status == BackendStatus.FAILED, 20,
                             "the backend to give up")
    return scene, await scene.dictate_until_error()


# -- the microphone ------------------------------------------------------------------------

@case(AppErrorKind.MICROPHONE_LOST, "Microphone lost", '"USB Mic" stopped delivering audio',
      None, Exception)
async def microphone_unplugged(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    async with scripted_server(hold_open) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")))
        await scene.listening()
        scene.mic.emit(CaptureWarning(WarningKind.DEVICE_LOST, "The microphone stopped.",
                                      "USB Mic"))
        return scene, await scene.wait_error()


@case(AppErrorKind.MICROPHONE_BUSY, "Microphone busy", "A dictation is using the microphone",
      None, MicTestBusyError)
async def recording_a_test_while_dictating(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """The welcome's test recording while a dictation runs: said in the welcome."""
    async with scripted_server(hold_open) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k")))
        await scene.listening()
        welcome = scene.window.open_welcome(1)
        welcome.record()
        await scene.rec.wait_for(lambda: "busy" in welcome.test_status.text(), 10,
                                 "the welcome to say the microphone is busy")
        title, _, text = welcome.test_status.text().partition(": ")
        return scene, Shown(title, text, None)


# -- keys and settings ---------------------------------------------------------------------

@case(AppErrorKind.NO_KEYRING, "No keyring", "cannot be saved", OPEN_SETTINGS,
      SecretsUnavailableError, "api_key")
async def no_keyring(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    scene = Scene(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")),
                  CLOUD_SETTINGS, keyring=NoKeyring())
    scene.worker.set_api_key("sk_typed")
    return scene, await scene.wait_error()


@case(AppErrorKind.KEYRING_FAILED, "Keyring error", "failed to read or store", OPEN_SETTINGS,
      SecretsError, "api_key")
async def keyring_locked(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    scene = Scene(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")),
                  CLOUD_SETTINGS, keyring=LockedKeyring())
    scene.worker.set_api_key("sk_typed")
    return scene, await scene.wait_error()


@case(AppErrorKind.NO_API_KEY, "API key needed", "needs an API key", OPEN_SETTINGS,
      MissingApiKeyError, "api_key")
async def no_api_key(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    scene = Scene(CloudBackend(_keys(None)), CLOUD_SETTINGS)
    return scene, await scene.dictate_until_error()


@case(AppErrorKind.INVALID_SETTINGS, "Invalid settings", "'e1' is not an ISO-639", None,
      OptionsError)
async def a_connection_test_with_a_bad_language(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """Settings → Test connection with a typed code that is no language: said in place."""
    scene = Scene(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")),
                  CLOUD_SETTINGS)
    dialog = scene.window.open_settings()
    dialog.language.setCurrentText("e1")
    dialog.test_button.click()
    await scene.rec.wait_for(lambda: bool(scene.rec.events["connection_tested"]), 10,
                             "the test result")
    title, _, text = dialog.test_result.text().partition(": ")
    return scene, Shown(title, text, None)


@case(AppErrorKind.UNSUPPORTED_LANGUAGE, "Language not available",
      "cannot transcribe German (de)", OPEN_SETTINGS, UnsupportedLanguageError, "language")
async def language_the_engine_lacks(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """German on the English-only local engine: refused before connecting (finding 2)."""
    backend = FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k"),
                           capabilities=POCKETSPHINX)
    scene = Scene(backend, Settings(commit_strategy=MANUAL.commit_strategy, language="de"))
    return scene, await scene.dictate_until_error()


# -- files, disk and models ----------------------------------------------------------------

@case(AppErrorKind.FILE_UNSUPPORTED, "Cannot read the file", "notes.txt: not a readable",
      None, FileSourceError)
async def unreadable_file(fx: Fixtures) -> tuple[Scene | None, Shown]:
    path = Path(fx.tmp_path) / "notes.txt"
    path.write_text("a shopping list, not audio\n" * 40)
    scene = Scene(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")))
    scene.window.transcribe_file(str(path))
    return scene, await scene.wait_error()


@case(AppErrorKind.FILE_FAILED, "File transcription failed", "no final transcript",
      TRY_AGAIN, FileTranscriptionError)
async def file_never_answered(fx: Fixtures) -> tuple[Scene | None, Shown]:
    from tests.speech import synth

    async with scripted_server(hold_open) as server:
        scene = Scene(FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k"),
                                   capabilities=UNKNOWN))
        scene.worker.file_policy = StreamPolicy(idle_timeout_s=0.5, commit_after_s=4,
                                                commit_force_s=8, max_ahead_s=12)
        scene.window.transcribe_file(str(synth("open the door")))
        return scene, await scene.wait_error()


@case(AppErrorKind.DISK_FULL, "Disk full", "no space left on the disk for /dev/full", None,
      OSError)
async def export_to_a_full_disk(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    """File → Export… to /dev/full: the kernel's ENOSPC, said in the export dialog."""
    scene = Scene(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")))
    scene.window.add_segment(segment(0, "Something worth keeping.", start_s=0.5))
    dialog = scene.window.export_transcript()
    assert isinstance(dialog, ExportDialog)
    dialog.path_edit.setText("/dev/full")
    dialog.accept()
    assert dialog.isVisible()
    title, _, text = dialog.error_label.text().partition(": ")
    return scene, Shown(title, text, None)


class _ModelBackend(FixedBackend):
    """The local engine set to a Whisper model: it looks the model up in the store first."""

    def __init__(self, store: ModelStore, model: str) -> None:
        super().__init__(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k"))
        self.store, self.model = store, model

    async def connection(self) -> Connection:
        self.store.path(self.model)  # NotInstalledError before any process starts
        return await super().connection()


@case(AppErrorKind.MODEL_MISSING, "Speech model not installed", "'small.en' is not installed",
      GET_MODEL, NotInstalledError)
async def model_not_installed(fx: Fixtures) -> tuple[Scene | None, Shown]:
    store = ModelStore(Path(fx.tmp_path) / "models")
    scene = Scene(_ModelBackend(store, "small.en"))
    scene.window.model_store = store
    return scene, await scene.dictate_until_error()


@case(AppErrorKind.INTERNAL, "Unexpected error", "inside the app", SHOW_LOG, RuntimeError)
async def a_bug(_fx: Fixtures) -> tuple[Scene | None, Shown]:
    class Broken(FixedBackend):
        async def connection(self) -> Connection:
            raise RuntimeError("a bug: the backend forgot its endpoint")

    scene = Scene(Broken(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("k")))
    return scene, await scene.dictate_until_error()


# -- the tests -----------------------------------------------------------------------------

ASYNC_CASES = [pytest.param(c, id=str(c.kind),
                            marks=[pytest.mark.slow] if c.slow else []) for c in CASES]
SYNC_KINDS = {AppErrorKind.MODEL_FAILED}


def check_shown(c: Case, shown: Shown) -> None:
    assert shown.title == c.title, shown
    assert c.needle in shown.text, shown
    assert shown.text.rstrip().endswith("."), shown
    assert shown.action == (str(c.action) if c.action else None), shown
    if shown.error is not None:
        assert shown.error.kind == c.kind, shown.error
        assert shown.error.detail.startswith(tuple(
            t.__name__ for t in type_and_subclasses(c.raised))), shown.error.detail
        assert shown.error.settings_field == c.field, shown.error


def type_and_subclasses(cls: type[BaseException]) -> list[type[BaseException]]:
    found, todo = [], [cls]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(current.__subclasses__())
    return found


def press_action(c: Case, scene: Scene) -> None:
    """Press the dialog's button and check it does what it says."""
    window = scene.window
    button = window.error_dialog.action_button
    before = len(scene.rec.states)
    jobs = len(window.tabs.files)
    button.click()
    if c.action == OPEN_SETTINGS:
        dialog = window.settings_dialog
        assert dialog is not None and dialog.isVisible()
        assert c.field is not None
        widget = dialog.field_widget(c.field)
        page = dialog.tabs.currentWidget()
        assert widget is not None and page is not None and page.isAncestorOf(widget)
        assert dialog.focusWidget() is widget
    elif c.action == TRY_AGAIN:
        if c.kind == AppErrorKind.FILE_FAILED:
            assert len(window.tabs.files) == jobs + 1  # the file again, in a new tab
        else:
            assert scene.rec.states[before:][:1] == [DictationState.CONNECTING]
    elif c.action == SHOW_LOG:
        assert scene.log_requests == 1
    elif c.action == GET_MODEL:
        assert window.welcome is not None and window.welcome.isVisible()
        assert window.welcome.pages.currentIndex() == 3


@pytest.mark.timeout(120)
@pytest.mark.parametrize("c", ASYNC_CASES)
async def test_each_error_shows_its_cause_and_its_one_fix(
        c: Case, qapp: QApplication, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The error appears with its title, its cause and its button, which works."""
    server = request.getfixturevalue("local_server") if c.slow else None
    scene, shown = await c.run(Fixtures(tmp_path, server))
    try:
        check_shown(c, shown)
        if scene is not None and shown.error is not None:
            if c.kind in (ErrorType.INVALID_REQUEST, AppErrorKind.HOST_NOT_FOUND,
                          AppErrorKind.UNSUPPORTED_LANGUAGE):  # the pictures of finding 2
                save_shot(scene.window.error_dialog, f"error-{c.kind}", tmp_path,
                          min_size=(300, 100))
            press_action(c, scene)
    finally:
        if scene is not None:
            await scene.close()


def test_a_model_download_that_fails_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    """The welcome's download from a source without the model names the failure in place."""
    from scribe_desktop.ui.welcome_models import ModelsPage
    from tests.models.hub_server import HubServer

    with HubServer() as hub:  # serves no repository at all
        page = ModelsPage(ModelStore(tmp_path / "models"), endpoint=hub.endpoint)
        qtbot.addWidget(page)
        page.select("tiny.en")
        job = page.download()
        assert job is not None
        qtbot.waitUntil(lambda: not page.downloading, timeout=30_000)
    title, _, text = page.status.text().partition(": ")
    assert (title, "not found" in text) == ("Speech model problem", True), page.status.text()
    assert page.download_button.isEnabled()


def test_the_table_is_complete() -> None:
    """Every error kind has a case, and every exception type the table explains is raised
    by one (a new error without an entry, or an entry nothing raises, fails here)."""
    kinds = {c.kind for c in CASES} | SYNC_KINDS
    assert kinds == set(ErrorType) | set(AppErrorKind)
    raised = {t for c in CASES for t in type_and_subclasses(c.raised)}
    raised |= {ModelsError}  # the failed download above
    missing = [t.__name__ for t in explained_types()
               if not any(issubclass(r, t) for r in raised)]
    assert not missing, missing
    assert len({c.title for c in CASES}) >= len(CASES) - 2  # titles say what happened
