"""PyInstaller runtime hook: let sounddevice find the bundled PortAudio.

sounddevice locates PortAudio with `ctypes.util.find_library("portaudio")`, which searches
the system (ldconfig), never the bundle (test-rig.md, PyInstaller section). Answer with the
bundled copy when there is one; any other name goes to the real function.
"""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

_BUNDLE = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
_NAMES = ("libportaudio.so.2", "libportaudio.so", "libportaudio.2.dylib",
          "libportaudio.dylib", "portaudio.dll", "libportaudio.dll")
_real_find_library = ctypes.util.find_library


def _find_library(name: str) -> str | None:
    if name == "portaudio":
        for candidate in _NAMES:
            path = _BUNDLE / candidate
            if path.is_file():
                return str(path)
    return _real_find_library(name)


ctypes.util.find_library = _find_library
