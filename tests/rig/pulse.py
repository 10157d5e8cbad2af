"""`PulseRig`: an isolated PulseAudio daemon with a virtual microphone, for tests and benches.

Layout (test-rig.md): a null sink `vsink` (16 kHz mono) whose monitor is remapped as the source
`vmic`, the default source. Whatever is played into `vsink` (`paplay --device=vsink`) comes out of
the microphone in real time, bit-exact. The default sink is a second null sink, `vspeaker`: what
apps play (push-to-talk's feedback sounds) goes there, never into the microphone, and a test
can record its monitor to hear it. An ALSA config in `$XDG_CONFIG_HOME/alsa/asoundrc` adds
the named PCM `scribe_vmic` (PortAudio otherwise lists only "pulse" and "default"), so tests can
select a device by name.

Clients need only `env` (PULSE_SERVER, XDG_CONFIG_HOME); PortAudio reads them when it
initialises, so they must be in the environment before the first device enumeration (see
`apply_to_process`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

DEVICE_NAME = "scribe_vmic"
DEVICE_DESCRIPTION = "Scribe Virtual Mic"
SINK = "vsink"
SOURCE = "vmic"
SPEAKER = "vspeaker"

_NULL_SINK_ARGS = (f"sink_name={SINK} rate=16000 channels=1 "
                   "sink_properties=device.description=VirtualSink")
_REMAP_ARGS = (f"master={SINK}.monitor source_name={SOURCE} "
               "source_properties=device.description=VirtualMic")
_SPEAKER_ARGS = (f"sink_name={SPEAKER} rate=48000 channels=1 "
                 "sink_properties=device.description=VirtualSpeaker")

_ASOUNDRC = f"""\
pcm.{DEVICE_NAME} {{
    type pulse
    device {SOURCE}
    hint {{ show on; description "{DEVICE_DESCRIPTION}" }}
}}
"""


class PulseRigError(RuntimeError):
    """The rig could not be started or driven; the message says what to install or check."""


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise PulseRigError(
            f"the virtual-microphone test rig needs `{tool}`: run scripts/test, which installs "
            "it (apt-get install pulseaudio pulseaudio-utils libasound2-plugins libportaudio2)")
    return path


class PulseRig:
    """One isolated PulseAudio daemon under a private temporary directory.

    `start()` blocks until the daemon answers (polling with a deadline); `stop()` terminates it
    and removes the directory. Not thread-safe; meant for one test session.
    """

    def __init__(self, root: Path | None = None, *, start_timeout_s: float = 15.0) -> None:
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="scribe-pulse-")) if root is None else root
        self.start_timeout_s = start_timeout_s
        self.socket = self.root / "native"
        self.config_home = self.root / "config"
        self.log_path = self.root / "pulse.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._sink_module: int | None = None
        self._remap_module: int | None = None
        self._speaker_module: int | None = None

    # -- environment -------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """What a client process needs to reach the daemon and see the named ALSA device."""
        return {"PULSE_SERVER": f"unix:{self.socket}",
                "XDG_CONFIG_HOME": str(self.config_home)}

    def client_env(self) -> dict[str, str]:
        """The current environment plus `env`, for subprocesses."""
        return {**os.environ, **self.env}

    def apply_to_process(self) -> None:
        """Put `env` into this process's environment and make PortAudio re-read it.

        sounddevice initialises PortAudio when imported; if that already happened, terminate
        and initialise it again (only valid while no stream is open)."""
        os.environ.update(self.env)
        import sys

        sd = sys.modules.get("sounddevice")
        if sd is not None:
            sd._terminate()
            sd._initialize()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        pulseaudio = _require("pulseaudio")
        _require("pactl")
        _require("paplay")
        home, run = self.root / "home", self.root / "run"
        for d in (home, run, self.config_home / "alsa"):
            d.mkdir(parents=True, exist_ok=True)
        run.chmod(0o700)
        (self.config_home / "alsa" / "asoundrc").write_text(_ASOUNDRC)
        script = self.root / "ci.pa"
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            f"load-module module-null-sink {_NULL_SINK_ARGS}\n"
            f"load-module module-remap-source {_REMAP_ARGS}\n"
            f"load-module module-null-sink {_SPEAKER_ARGS}\n"
            f"set-default-sink {SPEAKER}\n"
            f"set-default-source {SOURCE}\n")
        env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(run),
               "XDG_CONFIG_HOME": str(self.config_home)}
        env.pop("PULSE_SERVER", None)
        self._proc = subprocess.Popen(
            [pulseaudio, "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1",
             "--system=false", "--disallow-exit", f"--log-target=file:{self.log_path}"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            if self._proc.poll() is not None:
                raise PulseRigError(f"pulseaudio exited with {self._proc.returncode}; log:\n"
                                    f"{self._log_tail()}")
            probe = subprocess.run(["pactl", "info"], env=self.client_env(),
                                   capture_output=True, timeout=5)
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise PulseRigError(f"pulseaudio did not answer within {self.start_timeout_s}s")
            time.sleep(0.05)  # polling a daemon's readiness, bounded by the deadline
        self._sink_module, self._remap_module, self._speaker_module = self._module_ids()

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PulseRig:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- driving the microphone --------------------------------------------------------------

    def pactl(self, *args: str) -> str:
        proc = subprocess.run(["pactl", *args], env=self.client_env(), capture_output=True,
                              text=True, timeout=10)
        if proc.returncode != 0:
            raise PulseRigError(f"pactl {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def play(self, wav: Path, *, sink: str = SINK) -> None:
        """Play `wav` into `sink` in real time; returns when playback has finished."""
        proc = subprocess.run(["paplay", f"--device={sink}", str(wav)], env=self.client_env(),
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise PulseRigError(f"paplay {wav} failed: {proc.stderr.strip()}")

    def play_async(self, wav: Path, *, sink: str = SINK) -> subprocess.Popen[bytes]:
        """Start playing `wav` into `sink`; the caller waits for (or kills) the process."""
        return subprocess.Popen(["paplay", f"--device={sink}", str(wav)], env=self.client_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def record_speaker(self) -> subprocess.Popen[bytes]:
        """Start recording what apps play (the speaker sink's monitor) as raw 16-bit mono
        48 kHz on the process's stdout; stop it with `terminate()`."""
        return subprocess.Popen(["parec", f"--device={SPEAKER}.monitor", "--format=s16le",
                                 "--rate=48000", "--channels=1", "--latency-msec=20"],
                                env=self.client_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

    def remove_microphone(self) -> None:
        """Unload the null sink and its remapped source: the microphone disappears (as when a
        USB headset is unplugged). Unloading only the remap would not break a stream:
        PulseAudio moves it to another source, so the speaker sink (whose monitor is one)
        goes too."""
        if self._speaker_module is not None:
            self.pactl("unload-module", str(self._speaker_module))
            self._speaker_module = None
        if self._remap_module is not None:
            self.pactl("unload-module", str(self._remap_module))
            self._remap_module = None
        if self._sink_module is not None:
            self.pactl("unload-module", str(self._sink_module))
            self._sink_module = None

    def restore_microphone(self) -> None:
        """Load the sink and source back (the microphone is plugged in again)."""
        if self._sink_module is None:
            self._sink_module = int(self.pactl("load-module", "module-null-sink",
                                               *_NULL_SINK_ARGS.split()).strip())
        if self._remap_module is None:
            self._remap_module = int(self.pactl("load-module", "module-remap-source",
                                                *_REMAP_ARGS.split()).strip())
        if self._speaker_module is None:
            self._speaker_module = int(self.pactl("load-module", "module-null-sink",
                                                  *_SPEAKER_ARGS.split()).strip())
        self.pactl("set-default-sink", SPEAKER)
        self.pactl("set-default-source", SOURCE)

    def _module_ids(self) -> tuple[int | None, int | None, int | None]:
        sink = remap = speaker = None
        for line in self.pactl("list", "short", "modules").splitlines():
            fields = line.split("\t")
            if len(fields) < 3:
                continue
            if fields[1] == "module-null-sink" and f"sink_name={SINK}" in fields[2]:
                sink = int(fields[0])
            elif fields[1] == "module-remap-source" and f"source_name={SOURCE}" in fields[2]:
                remap = int(fields[0])
            elif fields[1] == "module-null-sink" and f"sink_name={SPEAKER}" in fields[2]:
                speaker = int(fields[0])
        return sink, remap, speaker

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
