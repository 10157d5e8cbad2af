"""Screenshots of what is on a real X11 screen (Xvfb), as `import -window root -crop` takes
them, for the README pictures that test_app_e2e.py takes of the real running app.

`ScreenGrabber` keeps one helper process (`python -m tests.app.ui_screenshots`, Qt on xcb)
on the display, so a picture is taken within milliseconds of the moment it must show (a live
partial lasts about a second). The helper reads `x y w h PATH` lines on stdin, saves that
rectangle of the screen (the root window: every window and dialog on it, frames included)
as a PNG and answers `ok PATH`. The test process itself stays offscreen (Qt picks its
platform once per process).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRAB_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    def united(self, other: Rect) -> Rect:
        left, top = min(self.x, other.x), min(self.y, other.y)
        right = max(self.x + self.width, other.x + other.width)
        bottom = max(self.y + self.height, other.y + other.height)
        return Rect(left, top, right - left, bottom - top)


_XErrorHandler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_x_errors = _XErrorHandler(lambda _display, _event: 0)  # a reference keeps it alive


def client_rect(display: str, window: int) -> Rect:
    """The inside of X11 `window` in screen coordinates. Asked of the X server through Xlib
    (XTranslateCoordinates): `xdotool getwindowgeometry` counts the window manager's frame
    twice under a reparenting window manager such as openbox."""
    c_int, c_uint, c_ulong, ptr = ctypes.c_int, ctypes.c_uint, ctypes.c_ulong, ctypes.POINTER
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XTranslateCoordinates.argtypes = [ctypes.c_void_p, c_ulong, c_ulong, c_int, c_int,
                                          ptr(c_int), ptr(c_int), ptr(c_ulong)]
    x11.XGetGeometry.argtypes = [ctypes.c_void_p, c_ulong, ptr(c_ulong), ptr(c_int),
                                 ptr(c_int), ptr(c_uint), ptr(c_uint), ptr(c_uint), ptr(c_uint)]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XSetErrorHandler(_ignore_x_errors)  # a vanished window must not exit this process
    connection = x11.XOpenDisplay(display.encode())
    if not connection:
        raise AssertionError(f"cannot open X display {display}")
    try:
        root = x11.XDefaultRootWindow(connection)
        x, y, child = c_int(), c_int(), c_ulong()
        if not x11.XTranslateCoordinates(connection, window, root, 0, 0, ctypes.byref(x),
                                         ctypes.byref(y), ctypes.byref(child)):
            raise AssertionError(f"window {window} is not on {display}")
        out_root, gx, gy = c_ulong(), c_int(), c_int()
        width, height, border, depth = c_uint(), c_uint(), c_uint(), c_uint()
        if not x11.XGetGeometry(connection, window, ctypes.byref(out_root), ctypes.byref(gx),
                                ctypes.byref(gy), ctypes.byref(width), ctypes.byref(height),
                                ctypes.byref(border), ctypes.byref(depth)):
            raise AssertionError(f"window {window} has no geometry")
        return Rect(x.value, y.value, width.value, height.value)
    finally:
        x11.XCloseDisplay(connection)


class ScreenGrabber:
    """The helper process on `display`; `grab(rect, path)` writes the PNG and returns it."""

    def __init__(self, display: str) -> None:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.app.ui_screenshots"],
                                     cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._answer("ready")

    def _answer(self, expected: str) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()  # the helper answers within GRAB_TIMEOUT_S
        if not line.startswith(expected):
            self.close()
            assert self.proc.stderr is not None
            raise AssertionError(f"screen grabber: {line!r}; {self.proc.stderr.read()[-1500:]}")
        return line

    def grab(self, rect: Rect, path: Path) -> Path:
        assert self.proc.stdin is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        self.proc.stdin.write(f"{rect.x} {rect.y} {rect.width} {rect.height} {path}\n")
        self.proc.stdin.flush()
        self._answer("ok")
        return path

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()  # the helper exits at end of input
        try:
            self.proc.wait(GRAB_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def picture_problems(path: Path, min_size: tuple[int, int] = (700, 500)) -> list[str]:
    """Why `path` is not a plausible picture of a window (empty list: it is)."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull():
        return [f"{path.name}: not a readable PNG"]
    problems = []
    if image.width() < min_size[0] or image.height() < min_size[1]:
        problems.append(f"{path.name}: {image.width()}x{image.height()} is too small")
    # a real drawing has many colours; a blank or black grab has one or two
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5)
               for y in range(0, image.height(), 5)}
    if len(colours) <= 20:
        problems.append(f"{path.name}: only {len(colours)} colours (blank?)")
    return problems


def serve() -> int:
    """The helper: grab screen rectangles on request until stdin closes."""
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    if QApplication.platformName() != "xcb":
        print(f"error: needs a real X11 display, got {QApplication.platformName()}", flush=True)
        return 1
    screen = app.primaryScreen()
    print("ready", flush=True)
    for line in sys.stdin:
        x, y, width, height, path = line.rstrip("\n").split(" ", 4)
        app.processEvents()
        pixmap = screen.grabWindow(0, int(x), int(y), int(width), int(height))
        if pixmap.isNull() or not pixmap.save(path, "PNG"):
            print(f"error: could not grab or write {path}", flush=True)
            continue
        print(f"ok {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve())
