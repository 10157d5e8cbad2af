"""The `whisper` engine: streaming sessions on top of a stateless Whisper `Decoder`.

Whisper decodes whole windows of up to 30 s; it has no streaming mode. A session keeps the
audio of its uncommitted segment here, in the server process, and:

* `feed` appends audio and marks which 32 ms frames are speech (Silero VAD) — cheap, never a
  decode;
* `decode_partial` re-decodes the segment's speech and shows LocalAgreement-2's stable prefix
  plus the newest tail (agreement.py); the server calls it from a paced background task
  (server/pacing.py), one decode at a time. Once a partial decode has heard FREEZE_AFTER_S
  of speech and a pause after it, the words it shows are kept and later partials decode only
  the speech after that pause, prompted with them: a partial's cost stays that of a phrase,
  not of the whole segment (measured: partial updates p95 1.52 -> 1.10 s on the human speech
  corpus, finals unchanged);
* `commit` takes the segment at once and decodes it once more with word timestamps: the
  committed text comes from that final decode, never from partials. A partial decode in
  flight is superseded: it is cancelled (the decoder stops it at its next step, so it stops
  competing with the final for the CPU) and its result is dropped.
* An early final, when the server commits on silence (VAD): once the partials have heard
  the speech end and more silence cannot change what a commit would decode (the last
  span's padding is all in; speech_spans.py), the idle partial slot runs the commit's
  final decode ahead of time. A commit whose final request is the very same (same audio,
  prompt and options: the result is the one it would get) takes that result, or waits for
  it if it is still running, instead of decoding again: the VAD commit, which comes after
  vad_silence_threshold_secs (1.5 s by default) of silence, then costs no decode. New
  speech makes it stale (cancelled); a commit that would decode anything else ignores it.
  Output never changes, only when it arrives. With manual commits the client decides when
  a segment ends, and a pause in a long dictation rarely ends it: no early final there.

Silence is never decoded (no "Thank you." from an empty commit): only speech spans go to the
model (speech_spans.py). A segment whose speech outgrows SEAL_AT_S is sealed at a pause: that
part gets its final decode then and its words are kept, so no decode exceeds Whisper's 30 s
window and manual sessions of any length work without extra commits on the wire.

The decoder runs in worker processes (process_host.ProcessEngine) or, with
`--engine-workers 0`, in this process (CTranslate2 releases the GIL while decoding).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import threading
import time
import uuid

import numpy as np
import numpy.typing as npt

from ..silero import SileroStream
from .agreement import LocalAgreement, split_words
from .base import (
    ENGINE_SAMPLE_RATE_HZ,
    Decoder,
    EngineInfo,
    SegmentResult,
    SessionHints,
    WordTiming,
    join_words,
)
from .speech_spans import SpeechSpans, seal_point, speech_spans
from .whisper_decoder import Decoded, DecodeRequest
from .whisper_text import cut_word_loops, to_timings

log = logging.getLogger(__name__)

RATE = ENGINE_SAMPLE_RATE_HZ
SPEECH_GATE = 0.4  # Silero probability for a frame to count as speech (the §4 VAD default)
SEAL_AT_S = 24.0  # speech per decode before the segment is sealed at a pause
SEAL_SEARCH_S = 12.0  # how far back from SEAL_AT_S to look for the pause
FREEZE_AFTER_S = 3.0  # speech in the partial window before its head may be frozen
FREEZE_PAUSE_S = 0.3  # silence a partial decode's audio must end in for its words to freeze
MIN_NEW_AUDIO_S = 0.2  # a partial decode needs at least this much audio since the last one
HEARD_S = 0.5  # silence after speech that a partial decode must have seen to be complete
PROMPT_TAIL_CHARS = 200


class _EarlyFinal:
    """A commit's final decode run ahead of time (module docstring): its request, named by
    `ticket`, and once done its result (None if it failed or was cancelled)."""

    def __init__(self, request: DecodeRequest, ticket: str) -> None:
        self.request = dataclasses.replace(request, ticket=ticket)
        self.ticket = ticket
        self.result: Decoded | None = None
        self.done = threading.Event()

    def serves(self, request: DecodeRequest) -> bool:
        """Whether this decode is the one `request` asks for (tickets aside)."""
        return dataclasses.replace(self.request, ticket=None) == \
            dataclasses.replace(request, ticket=None)

    def finish(self, result: Decoded | None) -> None:
        self.result = None if result is None or result.cancelled else result
        self.done.set()


@dataclasses.dataclass(frozen=True, slots=True)
class _Piece:
    """The final decode of one window of a segment: its text and timed words (when asked)."""

    text: str
    words: list[WordTiming]
    language: str | None


class WhisperEngine:
    """Engine protocol over a Whisper decoder (a WhisperDecoder, or a ProcessEngine pool of
    them); `new_session` is thread-safe."""

    def __init__(self, decoder: Decoder) -> None:
        self._decoder = decoder

    @property
    def info(self) -> EngineInfo:
        return self._decoder.info

    def new_session(self, source_rate_hz: int = ENGINE_SAMPLE_RATE_HZ,
                    hints: SessionHints | None = None) -> WhisperSession:
        return WhisperSession(self._decoder, hints or SessionHints())

    def close(self) -> None:
        self._decoder.close()


class WhisperSession:
    """One connection's segment. `feed` and `commit` are serialised by the caller;
    `decode_partial` runs beside them, one at a time (see base.RedecodingSession).

    A commit does not wait for a partial decode in flight: it takes the audio, starts the
    next segment and decodes at once (on another worker when there is one); the superseded
    partial's result is dropped when it returns. Finals (commits and seals) run one at a time.

    Positions are in samples of the session's stream: the window (the uncommitted audio not
    yet sealed) runs from `_start` to `_fed`; `_flags[i]` says whether stream frame
    `_flag_base + i` is speech."""

    def __init__(self, decoder: Decoder, hints: SessionHints) -> None:
        self._decoder = decoder
        self._hints = hints
        self._vad = SileroStream()
        self._frame = self._vad.frame_samples
        self._lock = threading.Lock()  # guards everything below; held briefly, never over a decode
        self._partial_lock = threading.Lock()  # one partial decode at a time
        self._final_lock = threading.Lock()  # one final decode (commit or seal) at a time
        self._audio: list[npt.NDArray[np.int16]] = []  # the window's audio, in chunks
        self._fed = 0
        self._flags: list[bool] = []
        self._flag_base = 0
        self._unclassified = np.zeros(0, dtype=np.int16)  # < one frame (feed only)
        self._start = 0
        self._segment_start = 0  # stream sample where the uncommitted segment began
        self._segment = 0  # segments committed: a partial of an earlier one is stale
        self._sealed: list[_Piece] = []  # final decodes of the segment's sealed head
        self._agreement = LocalAgreement()
        self._decoded_upto = 0  # _fed when the last partial decode took its snapshot
        self._partial_from = 0  # stream sample where partial decodes start (>= _start)
        self._frozen: list[str] = []  # words of the window before _partial_from (partials')
        self._context = ""  # text said before this segment: the decoding prompt
        self._name = uuid.uuid4().hex[:12]  # names this session's requests (tickets)
        self._tickets = itertools.count(1)
        self._partial_ticket: str | None = None  # the partial decode in flight, if any
        self._early: _EarlyFinal | None = None  # the segment's early final, if any
        self._closed = False

    def feed(self, samples: npt.NDArray[np.int16]) -> None:
        self._check_open()
        data = np.concatenate([self._unclassified, samples.astype(np.int16, copy=False)])
        whole = data.size - data.size % self._frame
        flags = self._vad.speech(data[:whole], SPEECH_GATE) if whole else ()
        self._unclassified = data[whole:].copy()
        stale = None
        with self._lock:
            self._audio.append(samples.astype(np.int16, copy=True))
            self._fed += int(samples.size)
            self._flags.extend(bool(f) for f in flags)
            if self._early is not None and any(flags):  # speech again: a commit will differ
                stale, self._early = self._early, None
        self._cancel_early(stale)

    def decode_partial(self) -> str | None:
        self._check_open()
        with self._partial_lock:
            with self._lock:
                fed, audio, flags = self._window()
                if fed - self._decoded_upto < MIN_NEW_AUDIO_S * RATE:
                    return None
                # No speech since shortly before the last decode: that decode heard all there
                # is (its last word and the pause after it); another would only repeat it,
                # and the decoder stays free for the commit that usually follows.
                since = max(0, self._decoded_upto - round(HEARD_S * RATE) - self._start)
                self._decoded_upto = fed
                segment = self._segment
                heard = not flags[since // self._frame:].any()
            if heard:
                if self._hints.commits_on_silence:
                    self._final_early(segment)
                return None
            spans = self._spans(audio, flags)
            if spans.samples > SEAL_AT_S * RATE:
                if not self._seal_live(segment):
                    return None
                with self._lock:
                    _fed, audio, flags = self._window()
            with self._lock:
                base = self._partial_from - self._start
                prompt = self._prompt(self._sealed, extra=self._frozen)
            part, part_flags = audio[base:], flags[base // self._frame:]
            part_spans = self._spans(part, part_flags)
            if not part_spans.spans:
                return None
            with self._lock:
                if segment != self._segment:
                    return None
                ticket = self._partial_ticket = f"{self._name}-{next(self._tickets)}"
            try:
                decoded = self._decode(part_spans.gather(part), prompt, words=False,
                                       final=False, ticket=ticket)
            finally:
                with self._lock:
                    if self._partial_ticket == ticket:
                        self._partial_ticket = None
            with self._lock:
                if segment != self._segment or decoded.cancelled:
                    return None  # committed meanwhile: this partial is stale
                shown = self._agreement.update(cut_word_loops(split_words(decoded.text)))
                if shown and self._freezes(part_spans, part_flags):
                    # the decode heard a whole phrase and the pause after it: the words shown
                    # stay as they are, and the next partials decode only the audio after it
                    self._frozen.extend(shown)
                    self._partial_from = self._start + base + part_flags.size * self._frame
                    self._agreement.reset()
                    shown = []
                sealed = [p.text for p in self._sealed]
                frozen = list(self._frozen)
            return " ".join(w for w in [*sealed, *frozen, *shown] if w) or None

    def commit(self) -> SegmentResult:
        self._check_open()
        asked = time.perf_counter()
        with self._final_lock:
            with self._lock:  # take the segment; the next one starts now
                fed, audio, flags = self._window()
                start, segment_start = self._start, self._segment_start
                pieces = self._sealed
                prompt_before = self._context
                self._sealed = []
                self._move_start(fed)
                self._segment_start = fed
                self._segment += 1
                self._agreement.reset()
                self._decoded_upto = fed
                superseded, self._partial_ticket = self._partial_ticket, None
                early, self._early = self._early, None
            if superseded is not None and (early is None or superseded != early.ticket):
                self._decoder.cancel(superseded)  # an early final is kept until _final
            offset_s = (start - segment_start) / RATE
            spans = self._spans(audio, flags)
            while spans.samples > SEAL_AT_S * RATE:
                piece, cut = self._seal(audio, flags, spans, offset_s,
                                        self._prompt(pieces, prompt_before))
                pieces = [*pieces, piece]
                audio, flags = audio[cut:], flags[cut // self._frame:]
                offset_s += cut / RATE
                spans = self._spans(audio, flags)
            final = self._final(audio, spans, offset_s, self._prompt(pieces, prompt_before),
                                early=early)
            pieces = [*pieces, final]
        text = " ".join(p.text for p in pieces if p.text)
        words = [w for p in pieces for w in p.words]
        languages = [p.language for p in pieces if p.language]
        language = languages[-1] if languages else \
            (self._hints.language or self._decoder.info.languages[0])
        if text:
            with self._lock:
                self._context = (self._context + " " + text).strip()[-PROMPT_TAIL_CHARS:]
        log.debug("commit of %.1f s decoded in %.0f ms", audio.size / RATE,
                  1000 * (time.perf_counter() - asked))
        return SegmentResult(text, tuple(words), language)

    def set_previous_text(self, text: str) -> None:
        with self._lock:
            self._context = text.strip()[-PROMPT_TAIL_CHARS:]
            stale, self._early = self._early, None  # decoded with the old prompt
        self._cancel_early(stale)

    def close(self) -> None:
        """The connection ended: a partial decode in flight is cancelled (nobody will read
        it; it would only slow other sessions' decodes)."""
        self._closed = True
        with self._lock:
            abandoned, self._partial_ticket = self._partial_ticket, None
            self._early = None
        if abandoned is not None:
            self._decoder.cancel(abandoned)

    # --- internals --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the engine session is closed")

    def _window(self) -> tuple[int, npt.NDArray[np.int16], npt.NDArray[np.bool_]]:
        """Under _lock: (_fed, the window's audio, a speech flag per frame of the window).
        Frames not classified yet (the last partial frame) count as silence."""
        if len(self._audio) > 1:
            self._audio = [np.concatenate(self._audio)]
        audio = self._audio[0] if self._audio else np.zeros(0, dtype=np.int16)
        first = self._start // self._frame - self._flag_base
        return self._fed, audio, np.array(self._flags[first:], dtype=bool)

    def _move_start(self, start: int) -> None:
        """Under _lock: drop the window's audio before stream sample `start` (and the flags
        before its frame; the window's frames are the stream's, shifted by under a frame)."""
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.int16)
        self._audio = [audio[start - self._start:]]
        self._start = start
        self._partial_from, self._frozen = start, []  # partials start afresh from here
        drop = start // self._frame - self._flag_base
        del self._flags[:drop]
        self._flag_base += drop

    def _prompt(self, sealed: list[_Piece], context: str | None = None,
                extra: list[str] | None = None) -> str | None:
        """What was said before the audio to decode: the context, the sealed pieces and
        `extra` words (a partial's frozen words)."""
        texts = [self._context if context is None else context, *(p.text for p in sealed),
                 *(extra or ())]
        return " ".join(t for t in texts if t)[-PROMPT_TAIL_CHARS:] or None

    def _freezes(self, spans: SpeechSpans, flags: npt.NDArray[np.bool_]) -> bool:
        """Whether a partial decode of `spans` (of the partial window, whose speech flags are
        `flags`) covers enough speech, ending in a pause, for its words to be frozen."""
        pause = round(FREEZE_PAUSE_S * RATE / self._frame)
        return (spans.samples >= FREEZE_AFTER_S * RATE and flags.size > pause
                and not flags[-pause:].any())

    def _spans(self, audio: npt.NDArray[np.int16], flags: npt.NDArray[np.bool_]) -> SpeechSpans:
        return speech_spans(flags, self._frame, audio.size, rate_hz=RATE)

    def _seal_live(self, segment: int) -> bool:
        """Seal the live window's head while its speech outgrows SEAL_AT_S (from a partial
        decode); False if a commit took the segment meanwhile."""
        with self._final_lock:
            while True:
                with self._lock:
                    if segment != self._segment:
                        return False
                    _fed, audio, flags = self._window()
                    offset_s = (self._start - self._segment_start) / RATE
                    prompt = self._prompt(self._sealed)
                spans = self._spans(audio, flags)
                if spans.samples <= SEAL_AT_S * RATE:
                    return True
                piece, cut = self._seal(audio, flags, spans, offset_s, prompt)
                with self._lock:  # a commit waits for _final_lock: the segment is the same
                    self._sealed.append(piece)
                    self._move_start(self._start + cut)
                    self._agreement.reset()  # its words stood for the whole window

    def _seal(self, audio: npt.NDArray[np.int16], flags: npt.NDArray[np.bool_],
              spans: SpeechSpans, offset_s: float, prompt: str | None) -> tuple[_Piece, int]:
        """The final decode of the window's head up to a pause before SEAL_AT_S of speech,
        and where that head ends (samples)."""
        cut = seal_point(flags, self._frame, spans, limit_s=SEAL_AT_S, search_s=SEAL_SEARCH_S)
        cut -= cut % self._frame
        head, head_flags = audio[:cut], flags[:cut // self._frame]
        return self._final(head, self._spans(head, head_flags), offset_s, prompt), cut

    def _cancel_early(self, early: _EarlyFinal | None) -> None:
        """Stop an early final that is no longer wanted, if it is still decoding."""
        if early is not None and not early.done.is_set():
            self._decoder.cancel(early.ticket)

    def _final_early(self, segment: int) -> None:
        """From the idle partial slot: run the commit's final decode now if the window's
        speech has settled and it has not run yet (module docstring). The early final stays
        the commit's until speech or a new prompt drops it (feed, set_previous_text): more
        silence does not change its request."""
        with self._lock:
            if segment != self._segment or self._early is not None:
                return  # committed meanwhile, or decoded already
            _fed, audio, flags = self._window()
            prompt = self._prompt(self._sealed)
        spans = self._spans(audio, flags)
        if not spans.spans or spans.samples > SEAL_AT_S * RATE or \
                spans != speech_spans(flags, self._frame, audio.size + RATE, rate_hz=RATE):
            return  # nothing to decode, a seal first, or more silence would change the spans
        request = self._request(spans.gather(audio), prompt, words=self._hints.word_timestamps,
                                final=True)
        with self._lock:
            if segment != self._segment:
                return  # committed meanwhile
            ticket = self._partial_ticket = f"{self._name}-{next(self._tickets)}"
            early = self._early = _EarlyFinal(request, ticket)
        result = None
        try:
            result = self._run(early.request)
        finally:
            early.finish(result)
            with self._lock:
                if self._partial_ticket == ticket:
                    self._partial_ticket = None
                if self._early is early and early.result is None:
                    self._early = None
        log.debug("early final of %.1f s %s", len(early.request.audio) / 2 / RATE,
                  "ready" if early.result is not None else "dropped")

    def _final(self, audio: npt.NDArray[np.int16], spans: SpeechSpans, offset_s: float,
               prompt: str | None, early: _EarlyFinal | None = None) -> _Piece:
        """The final decode of the window `audio` (starting `offset_s` into the segment): its
        text, and its words in segment seconds when the client gets words (timing them costs
        an alignment pass). `early`: the segment's early final, used if it is this decode."""
        timed = self._hints.word_timestamps
        request = self._request(spans.gather(audio), prompt, words=timed, final=True) \
            if spans.spans else None
        decoded = None
        if early is not None:
            if request is not None and early.serves(request):
                early.done.wait()  # running on the partial slot: sooner than a new decode
                decoded = early.result
                log.debug("commit: early final %s", "taken" if decoded else "failed")
            else:
                self._cancel_early(early)
        if request is None:
            return _Piece("", [], None)
        if decoded is None:
            decoded = self._run(request)
        if not timed:
            return _Piece(" ".join(cut_word_loops(split_words(decoded.text))), [],
                          decoded.language)
        words = to_timings(decoded.words,
                           lambda t, is_end: offset_s + spans.to_window_s(t, is_end))
        if words and words[0].prefix != " ":  # pieces are joined by a space
            words[0] = dataclasses.replace(words[0], prefix=" ")
        return _Piece(join_words(words), words, decoded.language)

    def _decode(self, audio: npt.NDArray[np.int16], prompt: str | None, *, words: bool,
                final: bool, ticket: str | None = None) -> Decoded:
        """One decode: a partial (`final` False) or a final, with word timestamps or not;
        `ticket` names it for `Decoder.cancel`."""
        return self._run(self._request(audio, prompt, words=words, final=final, ticket=ticket))

    def _request(self, audio: npt.NDArray[np.int16], prompt: str | None, *, words: bool,
                 final: bool, ticket: str | None = None) -> DecodeRequest:
        return DecodeRequest(
            audio.astype("<i2", copy=False).tobytes(), prompt=prompt,
            hotwords=", ".join(self._hints.keyterms) or None,
            language=self._hints.language, word_timestamps=words, final=final, ticket=ticket)

    def _run(self, request: DecodeRequest) -> Decoded:
        result = self._decoder.decode(request)
        if not isinstance(result, Decoded):
            raise TypeError(f"the decoder returned {type(result).__name__}, not Decoded")
        log.debug("%s decode of %.1f s (prompt %d chars): %.0f ms, %d loop(s)%s",
                  "final" if request.final else "partial", len(request.audio) / 2 / RATE,
                  len(request.prompt or ""), 1000 * result.seconds, result.loops,
                  ", cancelled" if result.cancelled else "")
        return result
