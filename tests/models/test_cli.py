"""`scribe-desktop models` run as a user would: subprocesses, the real test hub, real signals."""

from __future__ import annotations

import json
import os
import pty
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scribe_desktop.models import ModelStore
from tests.models.hub_server import HubServer, RepoFile

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


def env_for(root: Path) -> dict[str, str]:
    env = {**os.environ, "SCRIBE_DESKTOP_MODELS_DIR": str(root)}
    env.pop("SCRIBE_DESKTOP_HF_ENDPOINT", None)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scribe_desktop", "models", *args]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), cwd=REPO, env=env_for(root), capture_output=True,
                          text=True, timeout=TIMEOUT_S)


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


class Running:
    """A CLI subprocess whose stderr lines arrive on a queue (waited on, never slept on)."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(command(*args), cwd=REPO, env=env_for(root),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern: str, timeout_s: float = 60.0) -> re.Match[str]:
        while True:
            line = self.lines.get(timeout=timeout_s)
            if line is None:
                raise AssertionError(f"no line matching {pattern!r} in {self.seen}")
            self.seen.append(line)
            if m := re.search(pattern, line):
                return m

    def finish(self) -> tuple[int, str, str]:
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(TIMEOUT_S)
        rest = []
        while (line := self.lines.get(timeout=TIMEOUT_S)) is not None:
            rest.append(line)
        return self.proc.returncode, out, "\n".join(self.seen + rest)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "models"


def part_files(root: Path) -> list[Path]:
    return list((root / ".staging" / "tiny.en").glob("*.part"))


def test_list_shows_the_catalogue_installed_models_and_disk_use(root: Path,
                                                               tiny_dir: Path) -> None:
    """The table marks the default, shows sizes and languages; --json carries the same."""
    ModelStore(root).import_model(tiny_dir, "tiny.en")
    done = cli(root, "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Models in {root}"
    assert re.search(r"^\* tiny\.en +installed +78\.1 MB +English$", done.stdout, re.M)
    assert re.search(r"^  base\.en +available +~148 MB +English$", done.stdout, re.M)
    assert re.search(r"^  small +available +~487 MB +99 languages$", done.stdout, re.M)
    assert re.search(r"^  large-v3-turbo +available +~1620 MB +100 languages$", done.stdout,
                     re.M)
    assert re.search(r"^Disk use: 78\.1 MB$", done.stdout, re.M)

    data = json.loads(cli(root, "list", "--json").stdout)
    assert data["default"] == "tiny.en" and data["root"] == str(root)
    tiny = next(m for m in data["models"] if m["name"] == "tiny.en")
    assert tiny["installed"] and tiny["path"] == str(root / "tiny.en")
    assert tiny["languages"] == ["en"] and tiny["wer_percent"] is None
    base = next(m for m in data["models"] if m["name"] == "base")
    assert not base["installed"] and base["approx_size_mb"] == 148 and len(base["languages"]) == 99


def test_download_path_remove_end_to_end(root: Path, hub: HubServer) -> None:
    """Download prints progress lines, path finds the model, remove takes it away."""
    done = cli(root, "download", "tiny.en", "--endpoint", hub.endpoint)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"installed tiny.en at {root / 'tiny.en'} "
                                   "(78.1 MB: 78.1 MB downloaded)")
    assert f"downloading tiny.en from {hub.endpoint}" in done.stderr
    assert re.search(r"^downloading model\.bin: 5\d% \((39|4\d)\.\d MB of 78\.1 MB\)$",
                     done.stderr, re.M)
    assert "verifying model.bin" in done.stderr and "installing" in done.stderr

    path = cli(root, "path", "tiny.en")
    assert path.returncode == 0 and path.stdout.strip() == str(root / "tiny.en")
    assert (Path(path.stdout.strip()) / "model.bin").stat().st_size == 75_537_502

    again = cli(root, "download", "tiny.en", "--endpoint", hub.endpoint)
    assert again.returncode == 0 and "already installed" in again.stdout

    removed = cli(root, "remove", "tiny.en")
    assert removed.returncode == 0 and removed.stdout.strip() == "removed tiny.en (78.1 MB freed)"
    gone = cli(root, "path", "tiny.en")
    assert gone.returncode == 1 and gone.stdout == ""
    assert one_error_line(gone.stderr) == ("scribe-desktop models: model 'tiny.en' is not "
                                           "installed")


def test_a_killed_download_resumes_where_it_stopped(
        root: Path, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """After SIGKILL mid-file, the rerun fetches only the rest of model.bin."""
    size = tiny_repo_files["model.bin"].size
    hub.stall_once("model.bin", 40_000_000, "hang")
    run = Running(root, "download", "tiny.en", "--endpoint", hub.endpoint)
    run.wait_for(r"downloading model\.bin: 40%")
    run.proc.kill()
    run.proc.wait(TIMEOUT_S)
    first = hub.served("model.bin")
    [part] = part_files(root)
    kept = part.stat().st_size
    assert 30_000_000 < kept <= first <= 40_000_000
    assert not (root / "tiny.en").exists()

    hub.release()
    hub.reset_counts()
    done = cli(root, "download", "tiny.en", "--endpoint", hub.endpoint)
    assert done.returncode == 0, done.stderr
    [get] = hub.requests_for("model.bin")
    assert get.range_start == kept
    assert hub.served("model.bin") == size - kept
    resumed = kept + tiny_repo_files["config.json"].size  # first in line, finished
    assert f"{resumed / 1e6:.1f} MB resumed" in done.stdout
    assert hub.served("config.json") == 0  # finished before the kill: not fetched again


def test_ctrl_c_cancels_and_keeps_the_partial_download(root: Path, hub: HubServer) -> None:
    """SIGINT during a stalled download exits 130 at once; remove discards what was kept."""
    hub.stall_once("model.bin", 20_000_000, "hang")
    run = Running(root, "download", "tiny.en", "--endpoint", hub.endpoint)
    run.wait_for(r"downloading model\.bin: 20%")
    assert hub.wait_served("model.bin", 20_000_000)
    run.proc.send_signal(signal.SIGINT)
    code, out, err = run.finish()
    assert code == 130, err
    assert "cancelling..." in err
    m = re.search(r"^scribe-desktop models: download of 'tiny\.en' cancelled; "
                  r"(\d+\.\d) MB kept, the next download resumes$", err, re.M)
    assert m is not None, err
    kept = m[1]
    assert 15.6 <= float(kept) <= 20.0  # the 20% line was printed; the server stopped at 20 MB
    assert "Traceback" not in err and out == ""

    listed = cli(root, "list").stdout
    assert re.search(rf"^  tiny\.en +partial \({kept} MB\)", listed, re.M), listed
    removed = cli(root, "remove", "tiny.en")
    assert removed.returncode == 0 and f"{kept} MB freed" in removed.stdout
    assert not (root / ".staging" / "tiny.en").exists()


def read_pty(fd: int) -> Iterator[bytes]:
    while True:
        ready, _, _ = select.select([fd], [], [], TIMEOUT_S)
        if not ready:
            return
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not data:
            return
        yield data


def test_a_terminal_gets_a_progress_bar(root: Path, hub: HubServer) -> None:
    """On a TTY the download draws a tqdm bar that reaches the full size."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(command("download", "tiny.en", "--endpoint", hub.endpoint),
                            cwd=REPO, env=env_for(root), stdin=slave, stdout=slave,
                            stderr=slave)
    os.close(slave)
    output = b"".join(read_pty(master)).decode(errors="replace")
    os.close(master)
    assert proc.wait(TIMEOUT_S) == 0, output
    assert "\r" in output and "100%" in output and "78.1M/78.1M" in output
    assert "done: 100%|" in output  # the bar redraws at most every 0.1 s: no middle states
    assert not re.search(r"\d+% \([\d.]+ MB of", output)  # a bar, not the plain lines
    assert f"installed tiny.en at {root / 'tiny.en'}" in output


def test_import_then_use_the_path(root: Path, tiny_dir: Path) -> None:
    """A local folder is imported under a name and located by `models path`."""
    done = cli(root, "import", str(tiny_dir), "--name", "tiny.en", "--copy")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"installed tiny.en at {root / 'tiny.en'} (78.1 MB)"
    assert cli(root, "path", "tiny.en").stdout.strip() == str(root / "tiny.en")

    bad = cli(root, "import", str(root / "nowhere"), "--name", "base.en")
    assert bad.returncode == 1
    assert one_error_line(bad.stderr) == (f"scribe-desktop models: {root / 'nowhere'} is not "
                                          "a usable Whisper model: no such folder")


@pytest.mark.parametrize("args", [(), ("download",), ("import", "/tmp"), ("frobnicate",),
                                  ("list", "--bogus")])
def test_usage_errors_exit_2(root: Path, args: tuple[str, ...]) -> None:
    """A malformed command line exits 2 with usage on stderr."""
    done = cli(root, *args)
    assert done.returncode == 2 and "usage:" in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("download", "tiny-en"), "unknown model 'tiny-en'; known models: tiny.en, tiny,"),
    (("remove", "base"), "model 'base' is not installed"),
])
def test_failures_are_one_line_and_exit_1(root: Path, args: tuple[str, ...],
                                          message: str) -> None:
    """A failure before any work is one clear line on stderr, exit code 1."""
    done = cli(root, *args)
    assert done.returncode == 1
    assert one_error_line(done.stderr).startswith(f"scribe-desktop models: {message}")


def test_an_unreachable_host_ends_with_one_clear_line(root: Path) -> None:
    """Progress so far, then the reason as the last line; exit code 1, no traceback."""
    done = cli(root, "download", "tiny.en", "--endpoint", "http://models.invalid")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == ("scribe-desktop models: cannot reach "
                                            "http://models.invalid: host not found (no "
                                            "network, or a wrong address)")


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root and setpriv to run the CLI as another user")
def test_a_store_the_user_cannot_write_is_permission_denied(root: Path, hub: HubServer,
                                                            tiny_dir: Path) -> None:
    """Run as `nobody` against a root-owned store: EACCES, said plainly, nothing fetched."""
    root.mkdir(mode=0o755)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    for args in (("download", "tiny.en", "--endpoint", hub.endpoint),
                 ("import", str(tiny_dir), "--name", "tiny.en")):
        done = subprocess.run([*as_nobody, *command(*args)], cwd=REPO, env=env_for(root),
                              capture_output=True, text=True, timeout=TIMEOUT_S)
        assert done.returncode == 1, done.stderr
        assert one_error_line(done.stderr) == (f"scribe-desktop models: cannot write to "
                                               f"{root}: permission denied")
    assert hub.state.requests == [] and list(root.iterdir()) == []
