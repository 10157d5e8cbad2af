"""The bundle's entry point: the one `scribe-desktop` binary (GUI and every subcommand).

`freeze_support()` must run first: the local server decodes in `spawn`ed worker processes,
and inside a bundle a worker is this same binary started with multiprocessing's arguments.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from scribe_desktop.__main__ import main

    sys.exit(main())
