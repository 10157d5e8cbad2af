"""One WebSocket connection of the local server, after the upgrade and authentication.

The receive loop reads one frame at a time and awaits its blocking audio work (through
`asyncio.to_thread`) before reading the next, so `feed` and `commit` of a session are
serialised while other sessions and the event loop keep running.

A re-decoding engine (Whisper) only buffers audio in `feed`; its partials come from a
background task that runs one `decode_partial` at a time, paced by `PartialPacer`. A commit
does not wait for the pacer, nor for a partial decode in flight: the engine supersedes it. A
partial decoded before a commit but finished after it is dropped: sent after the commit, it
would show a segment that is already committed as live text again (§6.2: a partial is the
whole uncommitted segment; rule C3 covers only an echo equal to the committed text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from aiohttp import WSMsgType, web

from ..protocol.audio_format import Encoding
from ..protocol.codec import DecodeError, decode_client_message, encode_server_message
from ..protocol.connection import AUTO_COMMIT_CONFIG_KEY
from ..protocol.errors import ErrorType
from ..protocol.messages import InputAudioChunk, ServerError, ServerMessage, SessionStarted
from ..protocol.options import MIN_COMMIT_AUDIO_S, CommitStrategy, SessionOptions
from .config import ServerConfig
from .decode_gate import DecodeGate
from .engines.base import Engine, EngineInfo, SessionHints
from .entities import EntityAnnotator
from .languages import resolve_language
from .pace import PaceMonitor
from .pacing import PartialPacer
from .pipeline import AudioPipeline
from .vad import DEFAULTS as VAD_DEFAULTS

log = logging.getLogger(__name__)

_EPSILON_S = 1e-6  # float sums of chunk durations must not throttle exactly 0.3 s


def session_config(options: SessionOptions, info: EngineInfo,
                   auto_commit_s: float | None = None) -> dict[str, Any]:
    """`session_started.config` in the live shape B (§6.1) plus the documented aliases, and
    our extension `auto_commit_interval_secs` (the least uncommitted audio before we commit
    on our own in manual mode), so that our client knows when a commit cannot be ours (C5);
    every official client passes `config` through untouched."""
    fmt = options.effective_audio_format
    vad = options.effective_commit_strategy is not CommitStrategy.MANUAL

    def vad_value(name: str) -> Any:
        value = getattr(options, name)
        return VAD_DEFAULTS[name] if value is None else value

    logging_on = True if options.enable_logging is None else options.enable_logging
    return {
        "sample_rate": fmt.sample_rate_hz,
        "audio_format": fmt.value,
        "language_code": options.language_code or info.languages[0],
        "secondary_languages": list(options.secondary_languages),
        "timestamps_granularity": "word",
        "vad_commit_strategy": vad,
        "vad_silence_threshold_secs": vad_value("vad_silence_threshold_secs"),
        "vad_threshold": vad_value("vad_threshold"),
        "min_speech_duration_ms": vad_value("min_speech_duration_ms"),
        "min_silence_duration_ms": vad_value("min_silence_duration_ms"),
        "max_tokens_to_recompute": 5,
        "model_id": options.model_id,
        "disable_logging": not logging_on,
        "include_timestamps": bool(options.include_timestamps),
        "include_language_detection": bool(options.include_language_detection),
        "filter_background_audio": bool(options.filter_background_audio),
        "keyterms": list(options.keyterms),
        "no_verbatim": bool(options.no_verbatim),
        "entity_detection": list(options.entity_detection) or None,
        # aliases of the documented shape A (§6.1, rule S2)
        "commit_strategy": options.effective_commit_strategy.value,
        "enable_logging": logging_on,
        **({} if auto_commit_s is None else {AUTO_COMMIT_CONFIG_KEY: auto_commit_s}),
    }


async def send_error(ws: web.WebSocketResponse, error_type: ErrorType, text: str, *,
                     code: int = 1000, reason: str | None = None) -> None:
    """Rule B2/S6: `{message_type, error}`, then close (1008 for invalid_request, else 1000)."""
    log.info("session error %s: %s", error_type.value, text)
    try:
        await ws.send_str(encode_server_message(ServerError(error_type, text)))
        close_reason = error_type.value if reason is None else reason
        await ws.close(code=code, message=close_reason.encode())
    except (ConnectionError, RuntimeError):
        pass  # the client is already gone


class SessionFailed(Exception):
    """Ends a session with a protocol error (sent by the receive loop)."""

    def __init__(self, error_type: ErrorType, text: str, reason: str | None = None) -> None:
        super().__init__(text)
        self.error_type = error_type
        self.text = text
        self.reason = reason


class RealtimeSession:
    """Drives one accepted, authenticated and validated connection until it ends."""

    def __init__(self, ws: web.WebSocketResponse, options: SessionOptions, engine: Engine,
                 config: ServerConfig, gate: DecodeGate | None = None,
                 pace: PaceMonitor | None = None) -> None:
        """`gate`: the engine's decoders, shared by all sessions (decode_gate.py); `pace`
        watches whether its audio is processed in real time (pace.py)."""
        self._ws = ws
        self._gate = gate
        self._options = options
        self._format = options.effective_audio_format
        self._engine = engine
        self._config = config
        self.session_id = uuid.uuid4().hex
        self._pipeline: AudioPipeline | None = None
        self._seen_chunk = False
        self._entities = EntityAnnotator(options)  # §6.7/§6.8: entity messages after commits
        self._audio_arrived = asyncio.Event()  # wakes the partial task
        self.pace = pace or PaceMonitor()
        self._partials: asyncio.Task[None] | None = None

    async def run(self) -> None:
        # rule S2: session_started immediately after the upgrade
        info = self._engine.info
        started = SessionStarted(self.session_id, session_config(
            self._options, info, self._config.auto_commit_s))
        await self._ws.send_str(encode_server_message(started))
        log.info("session %s started (%s)", self.session_id, self._format.value)
        try:
            self._pipeline = await self._blocking(self._open_pipeline)
            if self._pipeline.redecodes:
                self._partials = asyncio.create_task(self._partial_loop(self._pipeline))
            await self._receive_loop()
        except SessionFailed as failure:
            await send_error(self._ws, failure.error_type, failure.text, reason=failure.reason)
        finally:
            if self._partials is not None:
                self._partials.cancel()
                with contextlib.suppress(asyncio.CancelledError, SessionFailed):
                    await self._partials  # its decode (in a thread) finishes first
            if self._pipeline is not None:
                await asyncio.to_thread(self._pipeline.close)
            log.info("session %s ended", self.session_id)

    def _open_pipeline(self) -> AudioPipeline:
        info = self._engine.info
        language = resolve_language(self._options.language_code, info)  # checked by the app
        detect = bool(self._options.include_language_detection)
        hints = SessionHints(language=language, keyterms=tuple(self._options.keyterms),
                             detect_language=detect,
                             word_timestamps=bool(self._options.include_timestamps) or detect,
                             commits_on_silence=self._options.effective_commit_strategy
                             is not CommitStrategy.MANUAL)
        engine_session = self._engine.new_session(self._format.sample_rate_hz, hints)
        return AudioPipeline(self._options, engine_session,
                             auto_commit_s=self._config.auto_commit_s,
                             language=language or info.languages[0], gate=self._gate)

    async def _partial_loop(self, pipeline: AudioPipeline) -> None:
        """Background partials of a re-decoding engine: at most one decode at a time, paced
        (pacing.py); a failure ends the session like any engine failure."""
        loop = asyncio.get_running_loop()
        pacer = PartialPacer()
        segments = pipeline.segments
        last_text: str | None = None
        try:
            while True:
                await self._audio_arrived.wait()
                self._audio_arrived.clear()
                if pipeline.segments != segments:
                    segments, last_text = pipeline.segments, None
                    pacer.new_segment()
                wait = pacer.wait_s(loop.time(), pipeline.stream_s)
                if wait is None:
                    continue  # too little new audio: wait for more
                if wait > 0:
                    await asyncio.sleep(wait)  # pacing, not waiting for an event
                started = loop.time()
                pacer.started(started, pipeline.stream_s)
                # None also when every decoder was busy (decode_gate.py): the pacer then waits
                # for more audio and the interval, as after a decode, before trying again
                partial = await self._blocking(pipeline.decode_partial)
                pacer.finished(loop.time() - started)
                log.debug("session %s: partial decode at %.2f s of audio took %.0f ms: %r",
                          self.session_id, pipeline.stream_s, 1000 * (loop.time() - started),
                          partial and partial.text)
                if partial is None or pipeline.segments != segments:
                    continue  # nothing new, or a commit came first: this partial is stale
                if partial.text != last_text:
                    last_text = partial.text
                    await self._send([partial])
        except SessionFailed as failure:  # sends the error and closes: the receive loop ends
            await send_error(self._ws, failure.error_type, failure.text, reason=failure.reason)

    async def _receive_loop(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.idle_timeout_s
        while not self._ws.closed:
            self.pace.waiting(loop.time())
            try:
                msg = await self._ws.receive(timeout=max(0.0, deadline - loop.time()))
                self.pace.received(loop.time())
            except TimeoutError:
                raise SessionFailed(
                    ErrorType.INSUFFICIENT_AUDIO_ACTIVITY,
                    f"No audio received for {self._config.idle_timeout_s:g} seconds. Send "
                    "audio (silence is fine) to keep the session open.") from None
            if msg.type is WSMsgType.TEXT:
                audio_s = await self._handle_text(msg.data)
                self.pace.done(loop.time(), audio_s)
                if audio_s:
                    deadline = loop.time() + self._config.idle_timeout_s
            elif msg.type is WSMsgType.BINARY:
                # rule S7: the protocol has no binary frames
                raise SessionFailed(ErrorType.INPUT_ERROR,
                                    "Binary frames are not supported: send audio as base64 in "
                                    "the audio_base_64 field of an input_audio_chunk text "
                                    "message.")
            else:  # CLOSE, CLOSING, CLOSED, ERROR
                return

    async def _handle_text(self, data: str) -> float:
        """Handle one client frame; the seconds of audio it carried (audio resets the idle
        clock)."""
        try:
            message = decode_client_message(data)
        except DecodeError as exc:
            raise SessionFailed(ErrorType.INPUT_ERROR, f"Invalid message: {exc}") from None
        if not isinstance(message, InputAudioChunk):
            log.debug("ignoring unknown message type %r", message.message_type)  # rule B1
            return 0.0
        self._check_chunk(message)
        assert self._pipeline is not None
        if message.previous_text and not self._seen_chunk:
            await self._blocking(self._pipeline.set_previous_text, message.previous_text)
        self._seen_chunk = True
        if message.audio:
            await self._send(await self._blocking(self._pipeline.feed, message.audio))
            self._audio_arrived.set()
        if message.commit:
            await self._commit()
        return self._format.duration_s(len(message.audio)) if message.audio else 0.0

    def _check_chunk(self, chunk: InputAudioChunk) -> None:
        if chunk.previous_text is not None and self._seen_chunk:
            raise SessionFailed(ErrorType.INPUT_ERROR,  # rule C8 / §5.2
                                "previous_text can only be sent with the first audio chunk of "
                                "a session.")
        rate = self._format.sample_rate_hz
        if chunk.sample_rate_hz is not None and chunk.sample_rate_hz != rate:
            raise SessionFailed(ErrorType.INPUT_ERROR,
                                f"sample_rate {chunk.sample_rate_hz} does not match the "
                                f"session's audio_format {self._format.value} ({rate} Hz).")
        if self._format.encoding is Encoding.PCM16 and len(chunk.audio) % 2:
            raise SessionFailed(ErrorType.INPUT_ERROR,
                                f"audio_base_64 decodes to {len(chunk.audio)} bytes, which is "
                                f"not a whole number of 16-bit samples for "
                                f"{self._format.value}.")
        seconds = self._format.duration_s(len(chunk.audio))
        if seconds > self._config.max_chunk_s:
            raise SessionFailed(ErrorType.CHUNK_SIZE_EXCEEDED,
                                f"The audio chunk holds {seconds:.2f}s of audio; the maximum "
                                f"is {self._config.max_chunk_s:g}s. Send chunks of 0.1-1 s.")

    async def _commit(self) -> None:
        assert self._pipeline is not None
        uncommitted = self._pipeline.uncommitted_s
        if uncommitted + _EPSILON_S < MIN_COMMIT_AUDIO_S:
            if not self._config.lenient_commits:
                # rule S4: the live server's text, then close 1000 "commit_throttled"
                raise SessionFailed(
                    ErrorType.COMMIT_THROTTLED,
                    f"Commit request ignored: only {uncommitted:.2f}s of uncommitted audio. "
                    f"You need at least {MIN_COMMIT_AUDIO_S:g}s of uncommitted audio before "
                    "committing.")
            messages = await self._blocking(self._pipeline.commit, MIN_COMMIT_AUDIO_S)
        else:
            messages = await self._blocking(self._pipeline.commit)
        await self._send(messages)

    async def _blocking(self, func: Any, *args: Any) -> Any:
        """Run engine work off the loop; an engine failure ends the session."""
        try:
            return await asyncio.to_thread(func, *args)
        except SessionFailed:
            raise
        except Exception as exc:
            log.exception("engine failure in session %s", self.session_id)
            raise SessionFailed(ErrorType.TRANSCRIBER_ERROR,
                                f"The transcriber failed: {exc}") from exc

    async def _send(self, messages: Iterable[ServerMessage]) -> None:
        for message in self._entities.annotate(messages):
            await self._ws.send_str(encode_server_message(message))  # rule S7: text only
