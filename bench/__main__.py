"""`python -m bench`: run every benchmark and write docs/benchmarks.md (see bench/run.py)."""

from __future__ import annotations

import sys

from bench.run import main

sys.exit(main())
