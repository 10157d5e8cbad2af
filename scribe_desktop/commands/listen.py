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

from .secret_args import PrivateFileError, add_server_secret_arguments, server_secret

if TYPE_CHECKING:  # real imports inside run(): every command module builds the parser
    from ..audio.capture_events import CaptureEvent
    from ..protocol.connection import ConnectionEvent

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
    p.add_argument("--backend", choices=("local", "cloud"), default="local",
                   help="local: the offline engine in its own server process (default); "
                   "cloud: ElevenLabs with the API key from the keyring or $ELEVENLABS_API_KEY")
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
    server = None
    try:
        endpoint, auth, server = await _backend(args)
        async with mic:
            return await _dictate(args, mic, endpoint, auth, printer)
    except _Failure as exc:
        printer.note(f"error: {exc}")
        return exc.code
    finally:
        if server is not None:
            await server.stop()


class _Failure(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


async def _backend(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """(endpoint, auth, server to stop or None)."""
    from ..client import ApiKeyAuth, Endpoint

    if args.backend == "cloud":
        from .transcribe import UsageError, _cloud_api_key

        try:
            key = await _cloud_api_key()
        except UsageError as exc:
            raise _Failure(str(exc), EXIT_USAGE) from None
        return Endpoint(base_url=args.server_url), ApiKeyAuth(key), None
    if args.server_url:
        try:
            secret = server_secret(args, "listen")
        except PrivateFileError as exc:
            raise _Failure(str(exc), EXIT_USAGE) from None
        return Endpoint(base_url=args.server_url), ApiKeyAuth(secret), None
    from ..connect.server_process import LocalServerError, LocalServerProcess

    server = LocalServerProcess()
    try:
        await server.start()
    except (LocalServerError, OSError) as exc:
        raise _Failure(f"cannot start the local server: {str(exc).strip()[:300]}") from None
    return Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret), server


async def _dictate(args: argparse.Namespace, mic: Any, endpoint: Any, auth: Any,
                   printer: _Printer) -> int:
    import asyncio
    import contextlib
    import signal

    from ..client import ScribeError, connect
    from ..core.transcript import PartialChanged, SegmentAdded, SegmentEnriched, Transcript
    from ..export import SessionMeta, SessionSource, SessionStatus
    from ..protocol.codec import server_message_to_json
    from ..protocol.connection import Commit, as_message
    from ..protocol.options import CommitStrategy, SessionOptions
    from .transcribe import close_journal, open_journal

    options = SessionOptions(language_code=args.language,
                             commit_strategy=CommitStrategy(args.commit_strategy))
    try:
        session = await connect(options, endpoint, auth)
    except ScribeError as exc:
        raise _Failure(str(exc)) from None
    journal = open_journal(args, "listen")
    record = None if journal is None else journal.begin(SessionMeta(
        source=SessionSource.LISTEN, backend=args.backend, model_id=options.model_id,
        language_code=args.language))
    status = SessionStatus.FAILED
    started = asyncio.get_running_loop().time()
    transcript = Transcript()
    stop = asyncio.Event()
    answered = asyncio.Event()  # our final commit request was answered
    final_request: int | None = None
    loop = asyncio.get_running_loop()
    interrupts = 0

    def on_sigint() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            raise KeyboardInterrupt  # second Ctrl+C: give up waiting
        stop.set()

    loop.add_signal_handler(signal.SIGINT, on_sigint)

    def handle(event: ConnectionEvent) -> None:
        message = as_message(event)
        if printer.as_json and message is not None:
            printer.json_line(server_message_to_json(message))
        for change in transcript.apply(event):
            if isinstance(change, PartialChanged):
                printer.partial(change.text)
            elif isinstance(change, SegmentAdded):
                printer.committed(change.segment.text)
                if record is not None:
                    record.add_segment(change.segment)
            elif isinstance(change, SegmentEnriched) and record is not None:
                record.enrich(change.segment)
        if (final_request is not None and isinstance(event, Commit)
                and not session.connection.pending_requests):
            answered.set()

    async def read() -> None:
        async for event in session.events():
            handle(event)

    async def send() -> None:
        async for chunk in source:
            await session.send_audio(chunk.pcm)

    source = mic.start()
    if printer.as_json:
        printer.json_line({"message_type": "listening", "device": source.name,
                           "session_id": session.session_id})
    elif printer.tty:
        printer.note(f"listening on {source.name}; Ctrl+C to finish")
    reader = asyncio.ensure_future(read())
    sender = asyncio.ensure_future(send())
    code = 0
    try:
        waiter = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, reader, sender}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        for task in (reader, sender):
            if task.done() and task.exception() is not None:
                raise _Failure(str(task.exception()))
        source.stop()  # the rest of the captured audio, then the sender ends
        await asyncio.wait_for(sender, 5)
        final_request = await session.commit()  # rule C6: None when nothing new was sent
        if printer.as_json and final_request is not None:
            printer.json_line({"message_type": "commit_sent",
                               "stream_s": round(session.uplink.sent_s, 3)})
        if final_request is not None and session.connection.pending_requests:
            try:
                await asyncio.wait_for(answered.wait(), args.commit_timeout)
            except TimeoutError:
                printer.note(f"no answer to the last commit within {args.commit_timeout:g} s")
                code = EXIT_FAILED
        status = SessionStatus.COMPLETED
    except ScribeError as exc:
        raise _Failure(str(exc)) from None
    except (asyncio.CancelledError, KeyboardInterrupt):  # a second Ctrl+C
        status = SessionStatus.CANCELLED
        raise
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        source.stop()
        for task in (sender, reader):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await session.close()
        if record is not None:
            record.finish(status, duration_s=loop.time() - started)
        close_journal(journal)
    if printer.as_json:
        printer.json_line({"message_type": "transcript", "text": transcript.text})
    elif printer.tty:
        printer.partial("")
    return code
