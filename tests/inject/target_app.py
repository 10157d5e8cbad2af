"""A Tk text field in its own process, the target of insertion tests: it writes its content
to a file on every change (atomically), so the test reads back what arrived.

    python -m tests.inject.target_app OUT_FILE [--title T] [--class C]

Every key press that reaches the field is appended to OUT_FILE with the suffix .keys, one
"KEYSYM STATE" line each (so tests see which chords the app received).
Prints "ready <window id>" once mapped and focused.
"""

from __future__ import annotations

import argparse
import sys
import tkinter as tk
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--title", default="scribe-target")
    parser.add_argument("--class", dest="cls", default="ScribeTarget")
    args = parser.parse_args()
    root = tk.Tk(className=args.cls)
    root.title(args.title)
    root.geometry("600x200+50+50")
    text = tk.Text(root)
    text.pack(fill="both", expand=True)
    out: Path = args.out

    def save(*_: object) -> None:
        content = text.get("1.0", "end-1c")
        tmp = out.with_suffix(".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(out)
        text.edit_modified(False)

    text.bind("<<Modified>>", save)
    keys = out.with_suffix(".keys")  # each key press that reached us (grab tests)

    def log_key(event: tk.Event) -> None:
        with keys.open("a", encoding="utf-8") as f:
            f.write(f"{event.keysym} {event.state}\n")

    text.bind("<KeyPress>", log_key, add="+")
    save()

    def announce() -> None:
        text.focus_force()
        print(f"ready {root.winfo_id()} {root.wm_frame()}", flush=True)

    root.after(100, announce)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
