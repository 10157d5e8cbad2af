"""Benchmark undo's safety on real X11: random sequences of dictations, typing, clicks that
move the caret, focus changes between two fields, a menu holding the keyboard, and undo
(Ctrl+Alt+Z pressed with xdotool), through the app's own push-to-talk composition (the X11
keyboard service, pynput, xclip + XTEST paste) into two Tk fields in other processes.

The dictations come from a scripted worker (the speech engine is not what is measured);
their words are letters only, while the user types only digits and `;,#`, so a user
character deleted shows as a missing digit. Counted: undos that removed their dictation
exactly, undos refused, user characters deleted (must be 0), and dictated characters an
undo that said "removed" left behind (must be 0).

    python -m bench.ptt_undo [--sequences 200] [--seed 12] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

USER_CHARS = "0123456789;,#"
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
STEPS = ("dictate", "dictate", "type", "type", "click", "focus", "undo", "undo", "menu")


class Bench:
    def __init__(self, desktop: Any, targets: list[Any], rng: random.Random) -> None:
        self.desktop = desktop
        self.targets = targets
        self.rng = rng
        self.focused = 0
        self.stats = Counter[str]()
        self.log: list[str] = []  # the steps, for explaining a deleted character
        self.outcomes: asyncio.Queue[str] = asyncio.Queue()
        self.notices: asyncio.Queue[str] = asyncio.Queue()
        self.last_piece: dict[int, str] = {}

    async def x(self, *args: str) -> None:
        await asyncio.to_thread(self.desktop.xdotool, *args)

    def text(self, i: int) -> str:
        return str(self.targets[i].text)

    async def settle_text(self, i: int) -> str:
        """The field's text once it stopped changing for 0.3 s."""
        last, stable = self.text(i), 0
        while stable < 15:
            await asyncio.sleep(0.02)  # polling a file the target rewrites
            now = self.text(i)
            stable = stable + 1 if now == last else 0
            last = now
        return last

    def user_chars(self) -> list[Counter[str]]:
        return [Counter(c for c in self.text(i) if c in USER_CHARS) for i in (0, 1)]

    async def step(self, worker: Any, action: str) -> None:
        """One step; a user character missing after it counts against the step's kind."""
        before = self.user_chars()
        texts = [self.text(0), self.text(1)]
        await self._step(worker, action)
        lost = sum(sum((b - a).values()) for b, a in zip(before, self.user_chars(),
                                                          strict=True))
        self.log.append(f"{action} in {self.focused}: {texts!r} -> "
                        f"{[self.text(0), self.text(1)]!r}")
        if lost:
            key = "user characters deleted" if action == "undo" else \
                f"user characters gone after {action}"
            self.stats[key] += lost
            print("\n".join(self.log[-6:]), file=sys.stderr)

    async def _step(self, worker: Any, action: str) -> None:
        i = self.focused
        if action == "dictate":
            worker.said = [" ".join(self.rng.sample(WORDS, 2))]
            before = self.text(i)
            await self.x("keydown", "Control_L", "Shift_L", "space")
            await self.x("keyup", "space", "Shift_L", "Control_L")
            outcome = await asyncio.wait_for(self.outcomes.get(), 15)
            self.stats[f"dictations {outcome}"] += 1
            if outcome == "inserted":
                after = await self.settle_text(i)
                self.last_piece[i] = after[len(before):] if after.startswith(before) else ""
        elif action == "type":
            chars = "".join(self.rng.choice(USER_CHARS) for _ in range(self.rng.randint(1, 4)))
            await self.x("type", "--delay", "5", chars)
            await self.settle_text(i)
        elif action == "click":
            window = str(self.targets[i].window)
            await self.x("mousemove", "--window", window, str(self.rng.randint(5, 500)),
                         str(self.rng.randint(5, 60)), "click", "1")
        elif action == "focus":
            self.focused = 1 - i
            await self.x("windowactivate", "--sync", str(self.targets[self.focused].window))
        elif action == "menu":  # a dictation meets the window menu (openbox's Alt+Space)
            await self.x("key", "alt+space")
            worker.said = ["never inserted"]
            await self.x("key", "ctrl+shift+space")
            self.stats[f"dictations {await asyncio.wait_for(self.outcomes.get(), 15)}"] += 1
            await self.x("key", "Escape")
        elif action == "undo":
            letters = sum(c.isalpha() for c in self.text(i))
            await self.x("key", "ctrl+alt+z")
            notice = await asyncio.wait_for(self.notices.get(), 15)
            after = await self.settle_text(i)
            if notice.startswith("Removed"):
                self.stats["undos that removed"] += 1
                expected = letters - sum(c.isalpha() for c in self.last_piece.get(i, ""))
                left = sum(c.isalpha() for c in after) - expected
                self.stats["dictated characters left behind"] += max(0, left)
                if left > 0:
                    print(f"left behind after {notice!r}: piece {self.last_piece.get(i)!r}",
                          "\n".join(self.log[-4:]), file=sys.stderr)
            else:
                self.stats["undos refused"] += 1


async def _bench(sequences: int, seed: int) -> dict[str, Any]:
    from PySide6.QtCore import QCoreApplication

    from scribe_desktop.app.push_to_talk import build_push_to_talk
    from scribe_desktop.hotkey.interpreter import HotkeyMode
    from scribe_desktop.qt.settings import Settings
    from tests.hotkey.test_controller import FakeWorker
    from tests.inject.x11_rig import TargetApp, x11_desktop

    app = QCoreApplication.instance() or QCoreApplication([])
    rng = random.Random(seed)
    with x11_desktop() as desktop:
        os.environ["DISPLAY"] = desktop.display
        targets = [await asyncio.to_thread(TargetApp, desktop, f"f{i}") for i in (0, 1)]
        bench = Bench(desktop, targets, rng)
        worker = FakeWorker()
        parts = build_push_to_talk(
            worker, Settings(hotkey_mode=HotkeyMode.HOLD, feedback_sounds=False),
            notify=bench.notices.put_nowait,
            on_outcome=lambda o, _d: bench.outcomes.put_nowait(str(o)))
        await parts.controller._tasks.settle()
        try:
            await bench.x("windowactivate", "--sync", str(targets[0].window))
            for _ in range(sequences):
                for action in rng.choices(STEPS, k=rng.randint(3, 8)):
                    await bench.step(worker, action)
                    while not bench.notices.empty():  # notices of dictations: not undo's
                        bench.notices.get_nowait()
                bench.stats["sequences"] += 1
        finally:
            await parts.close()
            for target in targets:
                await asyncio.to_thread(target.close)
    del app
    counts = {key: 0 for key in ("user characters deleted", "dictated characters left behind",
                                  "undos that removed", "undos refused")}
    return {"seed": seed, **counts, **dict(bench.stats)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequences", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    summary = asyncio.run(_bench(args.sequences, args.seed))
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"  {key:34} {value}")
    return 0 if summary.get("user characters deleted", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
