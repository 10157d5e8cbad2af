"""Downloads from a real HTTP server in the Hugging Face Hub layout (in-process)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from scribe_desktop.models import (
    CancelledError,
    CancelToken,
    DownloadBusyError,
    IntegrityError,
    InvalidModelError,
    ModelStore,
    NetworkError,
    Phase,
    Progress,
    RemoteNotFoundError,
)
from tests.models.conftest import TINY_FILES
from tests.models.hub_server import HubServer, RepoFile


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_nothing_installed(store: ModelStore) -> None:
    assert store.list_installed() == []
    assert not (store.root / "tiny.en").exists()


def test_download_installs_the_model_with_progress(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """A download fetches exactly the model files, reports progress and installs them."""
    events: list[Progress] = []
    result = store.download("tiny.en", endpoint=hub.endpoint, progress=events.append)

    model = result.model
    assert model.path == store.root / "tiny.en" == store.path("tiny.en")
    assert sorted(p.name for p in model.path.iterdir()) == sorted(
        [*TINY_FILES, "scribe-model.json"])
    for name in TINY_FILES:
        assert sha256(model.path / name) == tiny_repo_files[name].sha256
    total = sum(tiny_repo_files[n].size for n in TINY_FILES)
    assert result.fetched_bytes == total and result.resumed_bytes == 0
    assert model.size_bytes == total and not model.multilingual and model.source == "download"
    assert hub.served("README.md") == 0
    assert not (store.root / ".staging" / "tiny.en").exists()

    phases = [e.phase for e in events]
    assert phases[0] is Phase.RESOLVING and phases[-1] is Phase.DONE
    assert {Phase.DOWNLOADING, Phase.VERIFYING, Phase.INSTALLING} <= set(phases)
    bin_events = [e for e in events if e.phase is Phase.DOWNLOADING and e.file == "model.bin"]
    assert bin_events[-1].file_done == bin_events[-1].file_total == tiny_repo_files[
        "model.bin"].size
    done = [e.done for e in events if e.phase is Phase.DOWNLOADING]
    assert done == sorted(done) and events[-1].done == events[-1].total == total


def test_an_installed_model_is_not_downloaded_again(store: ModelStore, hub: HubServer) -> None:
    """Asking for an installed model returns it without contacting the server."""
    store.download("tiny.en", endpoint=hub.endpoint)
    hub.reset_counts()
    result = store.download("tiny.en", endpoint=hub.endpoint)
    assert result.already_installed and result.fetched_bytes == 0
    assert hub.state.requests == []


def test_a_dropped_connection_resumes_with_a_range_request(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """A connection dropped mid-file is resumed from the byte it stopped at."""
    cut = 20_000_000
    hub.stall_once("model.bin", cut, "drop")
    store.download("tiny.en", endpoint=hub.endpoint)

    size = tiny_repo_files["model.bin"].size
    gets = hub.requests_for("model.bin")
    assert [r.range_start for r in gets] == [None, cut]
    assert hub.served("model.bin") == size
    assert sha256(store.path("tiny.en") / "model.bin") == tiny_repo_files["model.bin"].sha256


def test_a_corrupted_file_is_rejected_and_nothing_installed(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """A flipped byte fails the sha256 check: clear error, the file discarded, no model."""
    hub.corrupt("model.bin", 12_345_678)
    with pytest.raises(IntegrityError) as info:
        store.download("tiny.en", endpoint=hub.endpoint)
    message = str(info.value)
    assert "model.bin is corrupted" in message
    assert tiny_repo_files["model.bin"].sha256 in message and "sha256" in message
    assert_nothing_installed(store)
    assert not list((store.root / ".staging" / "tiny.en").glob(
        tiny_repo_files["model.bin"].sha256 + "*"))

    hub.heal()
    hub.reset_counts()
    store.download("tiny.en", endpoint=hub.endpoint)
    assert hub.served("model.bin") == tiny_repo_files["model.bin"].size  # from scratch
    assert hub.served("config.json") == 0  # verified before the failure: kept


def test_a_corrupted_small_file_fails_its_git_blob_id(
        store: ModelStore, hub: HubServer) -> None:
    """Files outside LFS are checked against their git blob id."""
    hub.corrupt("tokenizer.json", 100)
    with pytest.raises(IntegrityError, match=r"tokenizer\.json is corrupted: git-sha1"):
        store.download("tiny.en", endpoint=hub.endpoint)
    assert_nothing_installed(store)


def test_cancel_from_another_thread_stops_a_stalled_download(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """Cancelling wakes a read blocked on a stalled server; the partial file is kept."""
    cut = 30_000_000
    hub.stall_once("model.bin", cut, "hang")
    token = CancelToken()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            store.download("tiny.en", endpoint=hub.endpoint, cancel=token)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert hub.wait_served("model.bin", cut)
    token.cancel()
    worker.join(10)
    assert not worker.is_alive(), "cancel did not wake the blocked read"
    assert len(errors) == 1 and isinstance(errors[0], CancelledError)
    assert "cancelled" in str(errors[0]) and "resumes" in str(errors[0])
    assert_nothing_installed(store)
    [partial] = store.partial_downloads()
    assert partial.name == "tiny.en" and 0 < partial.size_bytes <= cut + 3_000_000

    hub.release()
    hub.reset_counts()
    result = store.download("tiny.en", endpoint=hub.endpoint)
    [get] = hub.requests_for("model.bin")
    assert get.range_start is not None and get.range_start > 0
    assert hub.served("model.bin") == tiny_repo_files["model.bin"].size - get.range_start
    assert result.resumed_bytes >= get.range_start
    assert store.partial_downloads() == []


def test_a_model_locked_by_another_download_is_refused(
        store: ModelStore, hub: HubServer) -> None:
    """Two downloads of one model never write the same staging folder."""
    with store.lock("tiny.en"), pytest.raises(DownloadBusyError, match="another process"):
        store.download("tiny.en", endpoint=hub.endpoint)


@pytest.mark.parametrize("status", [404, 401])
def test_an_unknown_repository_is_not_found(store: ModelStore, hub: HubServer,
                                            status: int) -> None:
    """A repository the server does not have (404, or the Hub's 401) is a clear not-found."""
    hub.state.missing_repo_status = status
    with pytest.raises(RemoteNotFoundError) as info:
        store.download("base.en", endpoint=hub.endpoint)
    assert str(info.value) == (f"model repository Systran/faster-whisper-base.en not found "
                               f"on {hub.endpoint} (HTTP {status})")
    assert store.list_installed() == [] and store.partial_downloads() == []


def test_a_listed_file_that_is_gone_is_http_404(store: ModelStore, hub: HubServer) -> None:
    """A file the model info lists but the server cannot serve is a clear not-found."""
    hub.hide("vocabulary.txt")
    with pytest.raises(RemoteNotFoundError) as info:
        store.download("tiny.en", endpoint=hub.endpoint)
    assert str(info.value) == (f"vocabulary.txt in Systran/faster-whisper-tiny.en not found "
                               f"on {hub.endpoint} (HTTP 404)")
    assert store.list_installed() == []


def test_a_repository_without_model_bin_is_refused(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """A repository without model.bin is reported, not half-installed."""
    files = {k: v for k, v in tiny_repo_files.items() if k != "model.bin"}
    hub.add_prepared_repo("Systran/faster-whisper-base.en", files)
    with pytest.raises(InvalidModelError, match=r"missing model\.bin"):
        store.download("base.en", endpoint=hub.endpoint)
    assert store.list_installed() == [] and store.partial_downloads() == []


def test_a_refused_connection_is_a_network_error(store: ModelStore) -> None:
    """Nothing listening at the endpoint reads as a network problem."""
    with HubServer() as gone:
        endpoint = gone.endpoint
    with pytest.raises(NetworkError, match="connection refused"):
        store.download("tiny.en", endpoint=endpoint)


def test_an_unknown_host_is_a_network_error(store: ModelStore) -> None:
    """A host name that does not resolve reads as host not found."""
    with pytest.raises(NetworkError, match="host not found") as info:
        store.download("tiny.en", endpoint="http://models.invalid")
    assert str(info.value).startswith("cannot reach http://models.invalid: host not found")


def test_the_endpoint_comes_from_the_environment(
        store: ModelStore, hub: HubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """$SCRIBE_DESKTOP_HF_ENDPOINT redirects downloads (a mirror) when no URL is given."""
    monkeypatch.setenv("SCRIBE_DESKTOP_HF_ENDPOINT", hub.endpoint)
    model = store.download("tiny.en").model
    assert model.origin.startswith(f"{hub.endpoint}/Systran/faster-whisper-tiny.en@")


def test_an_english_only_model_under_a_multilingual_name_is_refused(
        store: ModelStore, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """Files that do not match the catalogue entry (English-only vs multilingual) fail."""
    hub.add_prepared_repo("Systran/faster-whisper-tiny", tiny_repo_files)
    with pytest.raises(InvalidModelError, match="English-only model but tiny is multilingual"):
        store.download("tiny", endpoint=hub.endpoint)
    assert store.list_installed() == [] and store.partial_downloads() == []


def test_check_load_loads_the_model_with_ctranslate2(store: ModelStore, hub: HubServer) -> None:
    """With check_load the model is loaded by CTranslate2 before it is installed."""
    pytest.importorskip("ctranslate2")
    assert store.download("tiny.en", endpoint=hub.endpoint, check_load=True).model.path.is_dir()
