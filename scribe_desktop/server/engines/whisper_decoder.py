"""faster-whisper (CTranslate2) as a stateless `Decoder`: audio + options in, words out.

Loaded once per worker process (process_host.ProcessEngine) and shared by every session: a
request carries its audio and context, so any worker can decode any session's audio. The
model comes from a local directory only (CTranslate2 format: model.bin, config.json,
tokenizer.json, vocabulary); nothing is ever downloaded.

Two measured choices (docs/architecture.md, "The whisper engine"):

* The encoder sees a shorter window than 30 s. faster-whisper pads every window to 30 s, and
  the encoder's cost is that of 30 s whatever the audio (~300 ms on this 2-core machine);
  CTranslate2 accepts shorter inputs. But a window that ends right after the speech makes
  Whisper loop ("... lights open the door and turn on the ...": 7-15 of 66 decodes of
  growing LibriVox and espeak clips with content + 1 s), so the window keeps some padding:
  partials at least 10 s (content + 2 s; 0-2 loops of 66), finals at least 15 s (content +
  3 s; no loops), 3-5x cheaper than 30 s windows (docs/architecture.md).
* Greedy decoding at temperature 0 by default; finals may use beam search (`beam_size`,
  the server's --beam-size), partials never. Decoding each utterance of the human speech
  corpus whole, 3 beams cut tiny.en's WER on read speech from 10.7 % to 9.8 % and 5 beams
  to 8.9 %, but through the realtime path (VAD commits, prompts) 1, 3 and 5 beams gave the
  same WER (docs/benchmarks.md) while a final of a 10 s utterance took ~300 / 330 / 360 ms:
  commit -> final p95 371 / 416 / 531 ms against the 400 ms target (another run: greedy
  429 ms, 3 beams 460 ms).
* No conditioning on previous windows, and every segment
  checked for hallucination: Whisper's no-speech test, its compression-ratio test for
  repetition loops (a loop started by the prompt is decoded again without it), and no
  punctuation-only segments. Silence never reaches the model (the engine decodes speech
  only), so these catch what is left.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .base import EngineInfo
from .whisper_text import DecodedWord, whole_repetition

ENGINE_NAME = "whisper"
REQUIRED_FILES = ("model.bin", "config.json")
# (minimum window, padding after the audio) the encoder sees, in seconds (module docstring)
PARTIAL_WINDOW_S = (10.0, 2.0)
FINAL_WINDOW_S = (15.0, 3.0)
FRAMES_PER_S = 100  # Whisper's mel frames
MAX_WINDOW_S = 30.0
FINAL_BEAM_SIZE = 1  # beams of a final decode; partials are always greedy (module docstring)
# A segment is dropped as a hallucination when the model itself says it is likely silence
# (no_speech_prob) and is not confident in its words; or when its text is repetitive
# (gzip compression ratio, Whisper's own test).
NO_SPEECH_PROB = 0.6
MIN_AVG_LOGPROB = -1.0
MAX_COMPRESSION_RATIO = 2.4
TAIL_S = 1.5  # audio after the last word that is not decoded again (see _run)
# Speech runs at 2-5 tokens a second; a cap well above that keeps a repetition loop from
# running to Whisper's 224-token limit (measured: 1.7 s for a 4 s clip, instead of 0.1 s).
TOKENS_PER_S = 10
MAX_NEW_TOKENS = 200  # prompt (at most 223 tokens) + these stay within Whisper's 448
# Whisper tokenizes English words with capitals and punctuation; the prompt keeps that style
PROMPT_CHARS = 200  # Whisper uses at most 224 prompt tokens; this keeps well within
CANCELLED_KEPT = 256  # tickets of cancelled requests remembered (a cancel may come first)


class ModelDirError(ValueError):
    """A model directory that cannot be loaded; the text says what is missing."""


def check_model_dir(path: str | os.PathLike[str]) -> Path:
    """The directory, if it holds a CTranslate2 Whisper model; else ModelDirError."""
    directory = Path(path)
    if not directory.is_dir():
        raise ModelDirError(f"the Whisper model directory {directory} does not exist")
    missing = [f for f in REQUIRED_FILES if not (directory / f).is_file()]
    if missing:
        raise ModelDirError(f"{directory} is not a CTranslate2 Whisper model (missing "
                            f"{', '.join(missing)}); convert one with ct2-transformers-"
                            "converter or install it with `scribe-desktop models`")
    if not (directory / "tokenizer.json").is_file() and \
            not (directory / "vocabulary.txt").is_file() and \
            not (directory / "vocabulary.json").is_file():
        raise ModelDirError(f"{directory} has no tokenizer.json or vocabulary file")
    return directory


def model_label(directory: Path) -> str:
    """A name for the model when the caller gave none: its directory's name (with the parent's
    when the directory has a generic name such as "model")."""
    name = directory.name
    if name.lower() in {"model", "models", "ct2", "ctranslate2", "whisper"}:
        return f"{directory.parent.name}/{name}"
    return name


@dataclass(frozen=True, slots=True)
class DecodeRequest:
    """One decode. `audio`: 16 kHz mono int16 little-endian bytes (at most 30 s).
    `prompt`: text said before this audio (Whisper's initial prompt). `hotwords`: terms to
    bias towards (faster-whisper's hotwords). `language`: ISO 639-1, or None to detect (a
    multilingual model) — English-only models ignore it."""

    audio: bytes
    prompt: str | None = None
    hotwords: str | None = None
    language: str | None = None
    word_timestamps: bool = False
    final: bool = False  # a commit's decode: the larger, safer encoder window
    ticket: str | None = None  # names the request for `cancel` (unique per server)


@dataclass(frozen=True, slots=True)
class Decoded:
    """The result of one decode: the text (segments joined, leading space stripped), the
    words when asked for (times in seconds of the request's audio), the language, and how
    long the decode took."""

    text: str
    words: tuple[DecodedWord, ...] = ()
    language: str | None = None
    language_probability: float = 1.0
    seconds: float = 0.0
    loops: int = 0  # segments dropped as repetition loops (then decoded again unprompted)
    texts: tuple[str, ...] = field(default=())  # kept segment texts, in order
    cancelled: bool = False  # stopped by `cancel`: the text is empty, not the audio's


class DecodeCancelled(Exception):
    """Raised inside a decode whose ticket was cancelled, at the next step boundary."""


def default_device() -> tuple[str, str]:
    """(device, compute type): float16 on a CUDA GPU when CTranslate2 sees one, else int8 on
    the CPU."""
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        return "cuda", "float16"
    return "cpu", "int8"


def _whisper_model_class() -> Any:
    """faster-whisper's WhisperModel with a shorter encoder window (module docstring) that
    stops a cancelled decode between its steps.

    The window length and the request's ticket travel in a thread-local: several threads may
    share one model when the server decodes in its own process. CTranslate2 cannot stop an
    encoder or generate call once started, so a cancel takes effect before the encoder and
    before the decoder (a partial: ~60 ms then ~50-150 ms on this machine)."""
    from faster_whisper import WhisperModel

    class WindowedWhisperModel(WhisperModel):  # type: ignore[misc]
        local = threading.local()

        def cancelled(self, ticket: str) -> bool:  # WhisperDecoder sets the real test
            return False

        def check(self) -> None:
            ticket = getattr(self.local, "ticket", None)
            if ticket is not None and self.cancelled(ticket):
                raise DecodeCancelled(ticket)

        def encode(self, features: Any) -> Any:
            self.check()
            frames = getattr(self.local, "frames", None)
            if frames is not None and features.shape[-1] > frames:
                features = features[..., :frames]
            return super().encode(features)

        def generate_with_fallback(self, *args: Any, **kwargs: Any) -> Any:
            self.check()
            return super().generate_with_fallback(*args, **kwargs)

    return WindowedWhisperModel


class WhisperDecoder:
    """A loaded Whisper model; `decode` is thread-safe.

    `lanes`: decodes that run at once (CTranslate2 replicas sharing the weights: a second
    lane costs ~15 MiB, a second worker process ~185 MiB), each on `cpu_threads` threads;
    further concurrent calls queue in CTranslate2."""

    def __init__(self, model_dir: str | os.PathLike[str], *, name: str | None = None,
                 cpu_threads: int = 0, lanes: int = 1, beam_size: int = FINAL_BEAM_SIZE,
                 device: str | None = None, compute_type: str | None = None) -> None:
        directory = check_model_dir(model_dir)
        if lanes < 1:
            raise ValueError(f"a decoder needs at least one lane, got {lanes}")
        if beam_size < 1:
            raise ValueError(f"the beam size must be 1 or more, got {beam_size}")
        self.beam_size = beam_size
        auto_device, auto_type = default_device()
        cls = _whisper_model_class()
        self.lanes = lanes
        # local_files_only: a path that is not a model must never become a hub download
        self._model: Any = cls(str(directory), device=device or auto_device,
                               compute_type=compute_type or auto_type,
                               cpu_threads=cpu_threads, num_workers=lanes,
                               local_files_only=True)
        self._cancel_lock = threading.Lock()
        self._cancelled: OrderedDict[str, None] = OrderedDict()
        self._model.cancelled = self.is_cancelled
        supported = [str(c) for c in self._model.supported_languages]  # ["en"] for *.en
        languages = ("en", *(c for c in supported if c != "en")) if "en" in supported else \
            tuple(supported)
        self.info = EngineInfo(ENGINE_NAME, name or model_label(directory), languages,
                               redecodes=True, features=("keyterms",))  # as hotwords
        self._closed = False

    def warm_up(self) -> None:
        """Decode one second of silence, so the first session does not pay for lazy setup."""
        self.decode(DecodeRequest(bytes(32000), word_timestamps=True, final=True))

    def cancel(self, ticket: str) -> None:
        """Stop the request named `ticket` (its result is no longer wanted) at its next step;
        one not started yet returns at once. Thread-safe; unknown tickets are remembered."""
        with self._cancel_lock:
            self._cancelled[ticket] = None
            while len(self._cancelled) > CANCELLED_KEPT:
                self._cancelled.popitem(last=False)

    def is_cancelled(self, ticket: str) -> bool:
        with self._cancel_lock:
            return ticket in self._cancelled

    def decode(self, request: object) -> Decoded:
        if not isinstance(request, DecodeRequest):
            raise TypeError(f"expected a DecodeRequest, got {type(request).__name__}")
        if self._closed:
            raise RuntimeError("the Whisper model is closed")
        started = time.perf_counter()
        self._model.local.ticket = request.ticket
        try:
            if request.ticket is not None and self.is_cancelled(request.ticket):
                raise DecodeCancelled(request.ticket)
            return self._decode(request, started)
        except DecodeCancelled:
            return Decoded("", language=request.language, seconds=time.perf_counter() - started,
                           cancelled=True)
        finally:
            self._model.local.ticket = None

    def _decode(self, request: DecodeRequest, started: float) -> Decoded:
        audio = np.frombuffer(request.audio, dtype="<i2").astype(np.float32) / 32768.0
        if audio.size == 0:
            return Decoded("", language=self.info.languages[0])
        seconds = audio.size / 16000
        if seconds > MAX_WINDOW_S + 0.01:
            raise ValueError(f"a decode holds at most {MAX_WINDOW_S:g} s of audio, got "
                             f"{seconds:.1f} s")
        prompt = _clip_prompt(request.prompt)
        hotwords = request.hotwords or None
        # A prompt or hotwords can start a repetition loop ("... lights open the door and
        # turn on the kitchen lights open the ...", or on a short clip "10 of clubs. 10 of
        # clubs."): decode again without them.
        attempts = [(prompt, hotwords), (None, hotwords), (None, None)]
        loops = 0
        for prompt, hotwords in dict.fromkeys(attempts):
            kept, looped, info = self._run(audio, request, prompt, hotwords)
            if not looped and (prompt or hotwords) and \
                    whole_repetition("".join(s.text for s in kept)):
                looped = 1
            loops += looped
            if not looped:
                break
        words = tuple(DecodedWord(w.word, float(w.start), float(w.end), float(w.probability))
                      for s in kept for w in (s.words or ()))
        texts = tuple(s.text for s in kept)
        return Decoded("".join(texts).strip(), words, str(info.language),
                       float(info.language_probability), time.perf_counter() - started,
                       loops, texts)

    def _run(self, audio: np.ndarray[Any, Any], request: DecodeRequest, prompt: str | None,
             hotwords: str | None) -> tuple[list[Any], int, Any]:
        """(segments kept, segments dropped as repetition loops, faster-whisper's info)."""
        seconds = audio.size / 16000
        least, pad = FINAL_WINDOW_S if request.final else PARTIAL_WINDOW_S
        self._model.local.frames = min(int(MAX_WINDOW_S * FRAMES_PER_S),
                                       FRAMES_PER_S * math.ceil(max(least, seconds + pad)))
        try:
            segments, info = self._model.transcribe(
                audio, language=request.language, task="transcribe",
                beam_size=self.beam_size if request.final else 1,
                temperature=0.0, condition_on_previous_text=False, initial_prompt=prompt,
                hotwords=hotwords, without_timestamps=True,
                max_new_tokens=min(MAX_NEW_TOKENS, math.ceil(TOKENS_PER_S * seconds) + 20),
                word_timestamps=request.word_timestamps, no_speech_threshold=NO_SPEECH_PROB,
                log_prob_threshold=MIN_AVG_LOGPROB,
                compression_ratio_threshold=MAX_COMPRESSION_RATIO, vad_filter=False)
            kept: list[Any] = []
            looped = 0
            for segment in segments:  # a generator: each window is decoded here
                if segment.compression_ratio > MAX_COMPRESSION_RATIO:
                    looped += 1
                elif not _silent(segment) and any(c.isalnum() for c in segment.text):
                    kept.append(segment)
                if segment.words and seconds - segment.words[-1].end < TAIL_S:
                    # With word timestamps faster-whisper goes on decoding from the last
                    # word's end: a second window over the trailing pause, which costs a
                    # whole decode and yields only noise (" ." or worse). Stop here.
                    break
        finally:
            self._model.local.frames = None
        return kept, looped, info

    def close(self) -> None:
        self._closed = True
        self._model = None


def _clip_prompt(prompt: str | None) -> str | None:
    if not prompt or not prompt.strip():
        return None
    prompt = prompt.strip()
    if len(prompt) > PROMPT_CHARS:  # keep the end, from a word boundary
        prompt = prompt[-PROMPT_CHARS:]
        prompt = prompt[prompt.find(" ") + 1:] if " " in prompt else prompt
    return prompt


def _silent(segment: Any) -> bool:
    """Whisper's own test: the model thinks it heard silence and is unsure of its words."""
    return bool(segment.no_speech_prob > NO_SPEECH_PROB and
                segment.avg_logprob < MIN_AVG_LOGPROB)


def load_decoder(model_dir: str, name: str | None = None, cpu_threads: int = 0,
                 lanes: int = 1, beam_size: int = FINAL_BEAM_SIZE) -> WhisperDecoder:
    """The factory of a worker process (picklable with functools.partial): a warmed-up model,
    so a worker reports ready only once it can transcribe."""
    decoder = WhisperDecoder(model_dir, name=name, cpu_threads=cpu_threads, lanes=lanes,
                             beam_size=beam_size)
    decoder.warm_up()
    return decoder
