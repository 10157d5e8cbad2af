"""`Room`: the sound of a room in front of the virtual microphone — faint pink noise played
into it, with low latency, for as long as the room is open.

Two reasons. A real microphone is never digitally silent (and an idle app must be measured
hearing something). And the rig's null sink renders in blocks as long as its clients (and the
streams recording its monitor) allow: `paplay` asks for about 2 s, so a stream opened on the
microphone while only `paplay` plays may wait that long for its first audio, and lose what
was rendered before it connected, which no real microphone does. The room asks for
`LATENCY_MS`: about what PulseAudio's timer-based scheduling gives a sound card whose only
reader is an idle stream of 200 ms blocks, so an idle capture is measured as it would run on
a sound card, and a stream that asks for less (a live one) still gets it.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path

from .pulse import SINK, PulseRig

LATENCY_MS = 200


class Room:
    """`with Room(rig, volume=0.01):` — pink noise at `volume` (sox's scale; 0.01 is about
    -50 dBFS RMS, a quiet room through a desk microphone; 0 plays digital silence)."""

    def __init__(self, rig: PulseRig, *, volume: float = 0.01, loop_s: float = 60.0) -> None:
        self._rig = rig
        self._wav = Path(tempfile.gettempdir()) / f"scribe-room-{volume:g}-{loop_s:g}.wav"
        if not self._wav.exists():
            partial = self._wav.with_suffix(".part.wav")
            subprocess.run(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16",
                            str(partial), "synth", str(loop_s), "pinknoise", "vol",
                            str(volume)], check=True, capture_output=True)
            partial.replace(self._wav)
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="room", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self._stop.is_set():
                    return
                self._proc = subprocess.Popen(
                    ["paplay", f"--latency-msec={LATENCY_MS}", f"--device={SINK}",
                     str(self._wav)], env=self._rig.client_env(),
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._proc.wait()

    def __enter__(self) -> Room:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with self._lock:
            if self._proc is not None:
                self._proc.terminate()
        self._thread.join(10)
