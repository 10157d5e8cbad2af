"""The microphones as the desktop's sound settings name them, on Linux: PulseAudio's (or
PipeWire's pulse server's) sources, listed with `pactl -f json list sources`.

PortAudio sees a PulseAudio desktop only through ALSA's "pulse" and "default" plugins, so
without this the app would offer "pulse" and "default" where the sound settings say
"Blue Yeti" or "Built-in Audio Analog Stereo". Each source here becomes one microphone that is
captured through the "pulse" device with `PULSE_SOURCE` naming the source (libpulse reads it
when the ALSA plugin connects, i.e. when the stream is opened). Monitors of outputs are not
microphones and are left out.

The list is read once and again only on `refresh()` (the capture calls it when it asks
PortAudio to re-enumerate), so listing devices never starts a process per call.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

PACTL_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class DesktopSource:
    """One PulseAudio source: its id (`name`), what the desktop calls it, whether it is
    the default input."""

    name: str
    description: str
    is_default: bool = False


def _pactl(*args: str) -> object | None:
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        done = subprocess.run([pactl, "-f", "json", *args], capture_output=True, text=True,
                              timeout=PACTL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("pactl %s failed: %s", " ".join(args), exc)
        return None
    if done.returncode != 0:
        log.debug("pactl %s: %s", " ".join(args), done.stderr.strip()[:200])
        return None
    try:
        parsed: object = json.loads(done.stdout)
    except ValueError:  # pactl before 16 has no JSON output
        return None
    return parsed


def read_sources() -> list[DesktopSource] | None:
    """The desktop's input sources, default first marked; None without a sound server."""
    if not sys.platform.startswith("linux"):
        return None
    sources = _pactl("list", "sources")
    if not isinstance(sources, list):
        return None
    info = _pactl("info")
    default = info.get("default_source_name") if isinstance(info, dict) else None
    found: list[DesktopSource] = []
    for source in sources:
        if not isinstance(source, dict) or not isinstance(source.get("name"), str):
            continue
        properties = source.get("properties") or {}
        if source.get("monitor_source") or properties.get("device.class") == "monitor":
            continue  # what an output plays, not a microphone
        name = str(source["name"])
        description = str(source.get("description") or name)
        found.append(DesktopSource(name, description, name == default))
    return found


class SourceCache:
    """`reader()` (default `read_sources`) as of the last `refresh()`, read on first use."""

    def __init__(self, reader: Callable[[], list[DesktopSource] | None] = read_sources) -> None:
        self._reader = reader
        self._sources: list[DesktopSource] | None = None
        self._read = False

    def get(self) -> list[DesktopSource] | None:
        if not self._read:
            self.refresh()
        return self._sources

    def refresh(self) -> None:
        self._sources = self._reader()
        self._read = True


SOURCES = SourceCache()
