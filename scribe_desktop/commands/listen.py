"""`scribe-desktop listen`: terminal dictation from the microphone.

Streams the microphone through the client (the local backend starts its own server), shows
the live partial on a terminal (rewriting one line), prints each committed segment, or with
`--json` one JSON line per event. Ctrl+C commits what was said, waits for that commit (up to
`--commit-timeout`), then exits 0; a second Ctrl+C quits at once (130).

JSON lines: server messages exactly as on the wire (`message_type` = partial_transcript,
committed_transcript, ...); local ones use the same key: `listening`, `capture_warning`,
`device_opened`, `device_restored`, `commit_sent`, and a last `transcript` with the whole text.

The session is recorded in the app's history as it happens (source "listen"): each
committed segment is durable within moments of its commit, so even a killed `listen` keeps
it. `--no-history` opts out; `--history-path` names another database.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

from .cli_backend import UsageError, add_backend_arguments
from .secret_args import add_server_secret_arguments

if TYPE_CHECKING:  # real imports inside run(): every command module builds the parser
    from ..audio.capture_events import CaptureEvent
    from ..connect import Backend
    from ..core.redaction import Redactor

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "listen", help="dictate from the microphone in the terminal",
        description="Stream the microphone to the speech-to-text backend and print the "
        "transcript. Ctrl+C commits what was said and exits.")
    p.add_argument("--device", metavar="NAME",
                   help="input device name (default: the system default; see --list-devices)")
    p.add_argument("--list-devices", action="store_true", help="list input devices and exit")
    add_backend_arguments(p)
    p.add_argument("--server-url", metavar="URL",
                   help="base URL of a running server instead of starting one")
    add_server_secret_arguments(p)
    p.add_argument("--json", action="store_true", help="print every event as a JSON line")
    p.add_argument("--language", metavar="CODE", help="language code (default: auto-detect)")
    p.add_argument("--commit-strategy", choices=("vad", "manual"), default="vad",
                   help="vad: the server commits at pauses (default); manual: only on Ctrl+C")
    p.add_argument("--noise-suppression", action="store_true",
                   help="WebRTC noise suppression")
    p.add_argument("--auto-gain", action="store_true", help="WebRTC automatic gain control")
    p.add_argument("--preroll", type=float, default=0.5, metavar="S",
                   help="seconds of audio from before the start to include (default 0.5)")
    p.add_argument("--commit-timeout", type=float, default=15.0, metavar="S",
                   help="how long Ctrl+C waits for the last commit (default 15)")
    from .transcribe import add_history_arguments

    add_history_arguments(p)


def run(args: argparse.Namespace) -> int:
    import asyncio

    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        print("scribe-desktop listen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


class _Printer:
    """Shows events: a rewritten partial line on a TTY, committed lines, or JSON lines."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.tty = sys.stdout.isatty() and not as_json
        self._partial_shown = False

    def json_line(self, payload: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def partial(self, text: str) -> None:
        if not self.tty:
            return
        width = max(10, shutil.get_terminal_size().columns - 1)
        shown = text if len(text) <= width else "…" + text[-(width - 1):]
        sys.stdout.write("\r\x1b[2K" + shown)
        sys.stdout.flush()
        self._partial_shown = bool(shown)

    def committed(self, text: str) -> None:
        if self.as_json or not text.strip():
            return
        if self._partial_shown:
            sys.stdout.write("\r\x1b[2K")
            self._partial_shown = False
        sys.stdout.write(text.strip() + "\n")
        sys.stdout.flush()

    def note(self, message: str) -> None:
        if self._partial_shown:
            sys.stdout.write("\r\x1b[2K")
            sys.stdout.flush()
            self._partial_shown = False
        print(f"scribe-desktop listen: {message}", file=sys.stderr, flush=True)


def _capture_json(event: CaptureEvent) -> dict[str, Any] | None:
    from ..audio.capture_events import CaptureWarning, DeviceOpened, DeviceRestored

    if isinstance(event, CaptureWarning):
        return {"message_type": "capture_warning", "kind": event.kind.value,
                "message": event.message, "device": event.device_name}
    if isinstance(event, DeviceOpened):
        return {"message_type": "device_opened", "device": event.device.name,
                "host_api": event.device.host_api, "sample_rate": event.sample_rate_hz,
                "channels": event.channels, "preferred": event.preferred}
    if isinstance(event, DeviceRestored):
        return {"message_type": "device_restored", "device": event.device.name}
    return None  # levels and silence-ended: too chatty for a terminal


async def _main(args: argparse.Namespace) -> int:
    import sounddevice

    from ..audio.capture import Microphone
    from ..audio.devices import list_input_devices
    from ..audio.processing import AudioOptions

    if args.list_devices:
        for device in list_input_devices(sounddevice):
            mark = "*" if device.is_default else " "
            print(f"{mark} {device.name}\t{device.host_api}\t{device.max_input_channels} ch\t"
                  f"{device.default_sample_rate_hz} Hz")
        return 0
    printer = _Printer(args.json)
    mic = Microphone(sounddevice, device=args.device, preroll_s=max(0.0, args.preroll),
                     options=AudioOptions.from_switches(noise_suppression=args.noise_suppression,
                                                        auto_gain=args.auto_gain))

    def on_capture(event: CaptureEvent) -> None:
        payload = _capture_json(event)
        if payload is None:
            return
        if printer.as_json:
            printer.json_line(payload)
        elif payload["message_type"] == "capture_warning":
            printer.note(str(payload["message"]))

    mic.add_listener(on_capture)
    from ..connect import LocalServerError
    from ..core.redaction import Redactor
    from .cli_backend import open_backend

    redactor = Redactor()
    backend = None
    try:
        backend = await open_backend(args, "listen", redactor)
        async with mic:
            return await _dictate(args, mic, backend, printer, redactor)
    except UsageError as exc:
        printer.note(f"error: {exc}")
        return EXIT_USAGE
    except LocalServerError as exc:
        printer.note(f"error: {redactor(str(exc))}")
        return EXIT_FAILED
    finally:
        if backend is not None:
            await backend.aclose()


async def _dictate(args: argparse.Namespace, mic: Any, backend: Backend, printer: _Printer,
                   redactor: Redactor) -> int:
    import asyncio
    import contextlib
    import signal

    from ..core.transcript import PartialChanged, SegmentAdded, SegmentEnriched, Transcript, feed
    from ..export import SessionMeta, SessionSource, SessionStatus
    from ..protocol.codec import server_message_to_json
    from ..protocol.connection import as_message
    from ..protocol.options import CommitStrategy, SessionOptions
    from ..session.live import (
        CommitTimeoutError,
        Connected,
        FinalCommitSent,
        LiveEvent,
        LiveSession,
        Received,
        Reconnected,
        Reconnecting,
    )
    from .cli_backend import describe_error, status_line
    from .transcribe import close_journal, open_journal

    # word timestamps: the history and exports get word times, and after a dropped
    # connection the replay starts where the last committed word ended (not a margin
    # before, which would send the tail of a committed word again)
    options = SessionOptions(language_code=args.language, include_timestamps=True,
                             commit_strategy=CommitStrategy(args.commit_strategy)).validate()
    journal = open_journal(args, "listen")
    record = None if journal is None else journal.begin(SessionMeta(
        source=SessionSource.LISTEN, backend=args.backend, model_id=options.model_id,
        language_code=args.language))
    status = SessionStatus.FAILED
    loop = asyncio.get_running_loop()
    started = loop.time()
    transcript = Transcript()
    stop = asyncio.Event()
    interrupts = 0
    source = mic.start()

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            raise KeyboardInterrupt  # second Ctrl+C: give up waiting
        stop.set()

    def on_change(change: object) -> None:
        if isinstance(change, PartialChanged):
            printer.partial(change.text)
        elif isinstance(change, SegmentAdded):
            printer.committed(change.segment.text)
            if record is not None:
                record.add_segment(change.segment)
        elif isinstance(change, SegmentEnriched) and record is not None:
            record.enrich(change.segment)

    def on_event(event: LiveEvent) -> None:
        if isinstance(event, Received):
            message = as_message(event.event)
            if printer.as_json and message is not None:
                printer.json_line(server_message_to_json(message))
            feed(transcript, event.event, on_change)
        elif isinstance(event, Connected):
            session = live.stream.session
            if printer.as_json:
                printer.json_line({"message_type": "listening", "device": source.name,
                                   "session_id": session.session_id if session else None})
            elif printer.tty:
                printer.note(f"listening on {source.name}; Ctrl+C to finish")
        elif isinstance(event, Reconnecting | Reconnected):
            if printer.as_json:
                payload: dict[str, Any] = {"message_type": type(event).__name__.lower()}
                payload.update({"attempt": event.attempt, "buffered_s": round(
                    event.buffered_s, 2)} if isinstance(event, Reconnecting) else {
                    "replayed_s": round(event.replayed_s, 2)})
                printer.json_line(payload)
            else:
                printer.note(status_line(event, redactor))
        elif isinstance(event, FinalCommitSent) and printer.as_json \
                and event.request is not None:
            printer.json_line({"message_type": "commit_sent"})

    live = LiveSession(source, backend, options, on_event)
    loop.add_signal_handler(signal.SIGINT, on_sigint)
    runner = asyncio.ensure_future(live.run())
    code = 0
    try:
        waiter = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, runner}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not runner.done():
            try:
                await live.finish(args.commit_timeout)
            except CommitTimeoutError:
                printer.note(f"no answer to the last commit within {args.commit_timeout:g} s")
                code = EXIT_FAILED
        await runner  # raises the error that ended the session, if one did
        status = SessionStatus.COMPLETED if code == 0 else SessionStatus.FAILED
    except (asyncio.CancelledError, KeyboardInterrupt):  # a second Ctrl+C
        status = SessionStatus.CANCELLED
        raise
    except Exception as exc:  # the session ended for good: keep what was committed
        printer.note("error: " + describe_error(exc, redactor)
                     + (" The transcript is incomplete." if transcript.segments else ""))
        code = EXIT_FAILED
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        source.stop()
        await live.abort()
        if not runner.done():
            runner.cancel()
            with contextlib.suppress(BaseException):
                await runner
        if record is not None:
            record.finish(status, duration_s=loop.time() - started)
        close_journal(journal)
    if printer.as_json:
        printer.json_line({"message_type": "transcript", "text": transcript.text,
                           "complete": code == 0})
    elif printer.tty:
        printer.partial("")
    return code
