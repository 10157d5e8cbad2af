"""`scribe-desktop models`: list, download, import, remove and locate offline Whisper models.

    models list [--json]                   the catalogue: installed or not, size, languages
    models download NAME [--endpoint URL]  fetch from the Hugging Face Hub (or a mirror)
    models import DIR --name NAME          install a local CTranslate2 model folder
    models remove NAME                     uninstall (and drop a partial download)
    models path NAME                       print the folder of an installed model

The store is `$SCRIBE_DESKTOP_MODELS_DIR`, else `<user data dir>/scribe-desktop/models`.
Downloads show a progress bar on a terminal and plain progress lines (every 10%) otherwise, on
stderr. Ctrl+C cancels: what was downloaded is kept and the same command resumes it.
Exit codes: 0 done, 1 failed (one line on stderr says why), 2 usage, 130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # real imports inside run(): every command module builds the parser
    from ..models import CancelToken, InstalledModel, ModelStore, Progress
    from ..models.download import DownloadResult

T = TypeVar("T")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
PROG = "scribe-desktop models"


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "models", help="manage the offline Whisper models (list, download, import, remove)",
        description="Manage the Whisper models of the offline engine. Nothing is downloaded "
        "unless you ask. Store: $SCRIBE_DESKTOP_MODELS_DIR, else the user data folder.")
    actions = p.add_subparsers(dest="models_action", metavar="ACTION")
    ls = actions.add_parser("list", help="the catalogue with installed/available models")
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    dl = actions.add_parser("download", help="download a model from the catalogue",
                            description="Download a model (resumes an interrupted download).")
    dl.add_argument("name", metavar="NAME", help="model name (see `models list`)")
    dl.add_argument("--endpoint", metavar="URL",
                    help="Hugging Face Hub or compatible mirror (default: "
                    "$SCRIBE_DESKTOP_HF_ENDPOINT, else $HF_ENDPOINT, else huggingface.co)")
    dl.add_argument("--check-load", action="store_true",
                    help="also load the model with CTranslate2 before installing it")
    dl.add_argument("--replace", action="store_true",
                    help="download again even if the model is installed")
    im = actions.add_parser("import", help="install a local CTranslate2 model folder",
                            description="Install a local CTranslate2 Whisper model folder "
                            "(hard-linked when on the same disk, else copied).")
    im.add_argument("source", metavar="DIR", help="folder with config.json, model.bin, ...")
    im.add_argument("--name", required=True, metavar="NAME",
                    help="name to install it under (a catalogue name, or your own)")
    im.add_argument("--copy", action="store_true", help="always copy, never hard-link")
    im.add_argument("--check-load", action="store_true",
                    help="also load the model with CTranslate2 before installing it")
    im.add_argument("--replace", action="store_true", help="replace an installed model")
    rm = actions.add_parser("remove", help="uninstall a model (or drop a partial download)")
    rm.add_argument("name", metavar="NAME")
    pa = actions.add_parser("path", help="print the folder of an installed model "
                            "(exit 1 if not installed)")
    pa.add_argument("name", metavar="NAME")
    p.set_defaults(models_parser=p)


def run(args: argparse.Namespace) -> int:
    from ..models import CancelledError, ModelsError, ModelStore

    if args.models_action is None:
        args.models_parser.print_help(sys.stderr)
        return EXIT_USAGE
    store = ModelStore()
    try:
        if args.models_action == "list":
            return _list(store, as_json=args.json)
        if args.models_action == "download":
            return _download(store, args)
        if args.models_action == "import":
            return _import(store, args)
        if args.models_action == "remove":
            freed = store.remove(args.name)
            print(f"removed {args.name} ({_mb(freed)} freed)")
            return 0
        print(store.path(args.name))
        return 0
    except CancelledError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # a second Ctrl+C while cancelling
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ModelsError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_FAILED


# -- list --------------------------------------------------------------------------------


def _list(store: ModelStore, as_json: bool) -> int:
    from ..models import CATALOGUE
    from ..models.store import DEFAULT_MAX_SIZE_MB

    installed = {m.name: m for m in store.list_installed()}
    partial = {p.name: p.size_bytes for p in store.partial_downloads()}
    best = store.best_installed("en")
    default = best.name if best else None
    rows = [_row(spec.name, installed.get(spec.name), partial.get(spec.name, 0), default)
            for spec in CATALOGUE]
    rows += [_row(name, m, 0, default) for name, m in installed.items()
             if m.spec is None]
    total = store.total_disk_use()
    if as_json:
        print(json.dumps({"root": str(store.root), "default": default,
                          "disk_use_bytes": total, "models": rows}, indent=2))
        return 0
    print(f"Models in {store.root}\n")
    print(f"  {'NAME':<16} {'STATUS':<22} {'SIZE':>9}  LANGUAGES")
    for r in rows:
        mark = "*" if r["default"] else " "
        status = "installed" if r["installed"] else "available"
        if r["partial_bytes"]:  # an interrupted download (or --replace) that resumes
            kept = _mb(r["partial_bytes"])
            status = f"installed +{kept}" if r["installed"] else f"partial ({kept})"
        size = _mb(r["size_bytes"]) if r["installed"] else f"~{r['approx_size_mb']} MB"
        print(f"{mark} {r['name']:<16} {status:<22} {size:>9}  {_languages(r)}")
    print(f"\n* default: the installed model the offline engine uses for English (the most "
          f"accurate up to {DEFAULT_MAX_SIZE_MB} MB)" if default else
          "\nNo model installed: `scribe-desktop models download tiny.en` gets the smallest.")
    print(f"Disk use: {_mb(total)}")
    return 0


def _row(name: str, model: InstalledModel | None, partial: int,
         default: str | None) -> dict[str, Any]:
    from ..models import catalogue

    spec = catalogue.find(name)
    multilingual = model.multilingual if model else bool(spec and spec.multilingual)
    languages = list(spec.languages) if spec else (
        list(catalogue.whisper_languages()) if multilingual else ["en"])
    return {
        "name": name, "installed": model is not None, "default": name == default,
        "path": str(model.path) if model else None,
        "size_bytes": model.size_bytes if model else None,
        "approx_size_mb": spec.size_mb if spec else None,
        "repo_id": spec.repo_id if spec else None,
        "source": model.source if model else None,
        "multilingual": multilingual, "languages": languages,
        "partial_bytes": partial,
        "wer_percent": spec.wer_percent if spec else None,
        "speed_x_realtime": spec.speed_x_realtime if spec else None,
    }


def _languages(row: dict[str, Any]) -> str:
    if not row["multilingual"]:
        return "English"
    n = len(row["languages"])
    return f"{n} languages" if n else "multilingual"


def _mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:.1f} MB"


# -- download and import -------------------------------------------------------------------


def _download(store: ModelStore, args: argparse.Namespace) -> int:
    from ..models import CancelToken
    from ..models.hub import resolve_endpoint

    token = CancelToken()
    display = _Display(f"downloading {args.name} from {resolve_endpoint(args.endpoint)}")

    def work() -> DownloadResult:
        return store.download(args.name, endpoint=args.endpoint, progress=display.update,
                              cancel=token, check_load=args.check_load, replace=args.replace)

    try:
        result = _run_cancellable(work, token, display)
    finally:
        display.close()
    m = result.model
    if result.already_installed:
        print(f"{m.name} is already installed at {m.path}")
    else:
        resumed = f", {_mb(result.resumed_bytes)} resumed" if result.resumed_bytes else ""
        print(f"installed {m.name} at {m.path} ({_mb(m.size_bytes)}: "
              f"{_mb(result.fetched_bytes)} downloaded{resumed})")
    return 0


def _import(store: ModelStore, args: argparse.Namespace) -> int:
    from ..models import CancelToken

    token = CancelToken()
    display = _Display(f"importing {args.source} as {args.name}")

    def work() -> InstalledModel:
        return store.import_model(args.source, args.name, link=not args.copy,
                                  progress=display.update, cancel=token,
                                  check_load=args.check_load, replace=args.replace)

    try:
        model = _run_cancellable(work, token, display)
    finally:
        display.close()
    print(f"installed {model.name} at {model.path} ({_mb(model.size_bytes)})")
    return 0


def _run_cancellable(work: Callable[[], T], token: CancelToken, display: _Display) -> T:
    """Run `work` in a thread; Ctrl+C fires the token so the package cleans up and raises
    CancelledError (a second Ctrl+C quits at once: the store stays consistent anyway)."""
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc
        finally:
            finished.set()

    # Wait on an Event, not Thread.join(): a join interrupted by Ctrl+C can return early on
    # the next call (CPython 3.11), before the worker has finished cleaning up.
    threading.Thread(target=target, name="models-worker", daemon=True).start()
    try:
        finished.wait()
    except KeyboardInterrupt:
        display.note("cancelling... (Ctrl+C again to quit at once)")
        token.cancel()
        finished.wait()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


class _Display:
    """Progress on stderr: a tqdm bar on a terminal, else a line per 10% and per phase."""

    def __init__(self, title: str) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.last_phase: tuple[str, str | None] | None = None
        self.last_step = -1
        self.title: str | None = title  # shown with the first event: a bad name is one line

    def update(self, p: Progress) -> None:
        if self.title is not None:
            print(self.title, file=sys.stderr, flush=True)
            self.title = None
        if self.tty:
            self._bar(p)
            return
        key = (p.phase.value, p.file)
        if key != self.last_phase and p.phase.value not in ("downloading", "copying"):
            self.last_phase = key
            print(f"{p.phase.value}{' ' + p.file if p.file else ''}", file=sys.stderr,
                  flush=True)
        if p.phase.value in ("downloading", "copying") and p.total:
            step = p.done * 10 // p.total
            if step != self.last_step:
                self.last_step = step
                print(f"{p.phase.value} {p.file}: {p.done * 100 // p.total}% "
                      f"({_mb(p.done)} of {_mb(p.total)})", file=sys.stderr, flush=True)

    def _bar(self, p: Progress) -> None:
        from tqdm import tqdm

        if self.bar is None and p.total:
            # A terminal that reports a 0x0 size (a fresh pty) would hide the bar: 80x24.
            size = shutil.get_terminal_size((0, 0))
            sized = size.columns > 0 and size.lines > 0
            self.bar = tqdm(total=p.total, initial=p.done, unit="B", unit_scale=True,
                            unit_divisor=1000, file=sys.stderr, dynamic_ncols=sized,
                            ncols=None if sized else 80, nrows=None if sized else 24)
        if self.bar is None:
            return
        label = f"{p.phase.value} {p.file}" if p.file else p.phase.value
        if label != self.bar.desc:
            self.bar.set_description_str(label, refresh=False)
        self.bar.update(p.done - self.bar.n)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
