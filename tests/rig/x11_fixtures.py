"""Shared fixtures of the X11 tests (registered in tests/conftest.py): `desktop`, one Xvfb +
openbox per test module, and `target`, a Tk text field in another process on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.inject.x11_rig import TargetApp, X11Desktop, x11_desktop


@pytest.fixture(scope="module")
def desktop() -> Iterator[X11Desktop]:
    with x11_desktop() as d:
        yield d


@pytest.fixture
def target(desktop: X11Desktop) -> Iterator[TargetApp]:
    app = TargetApp(desktop)
    app.out.with_suffix(".keys").unlink(missing_ok=True)  # one key log per desktop: reset
    yield app
    app.close()
