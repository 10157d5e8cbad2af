""""Test connection": open a session on a backend and close it again. No Qt."""

from __future__ import annotations

import asyncio

from ..client import connect
from ..connect import Backend
from ..protocol.options import SessionOptions
from .user_errors import UserError, user_error_for


async def check_connection(backend: Backend, options: SessionOptions, *,
                           timeout_s: float = 10.0) -> UserError | None:
    """None when a session with `options` opens, else the `UserError` to show. Never raises
    (except cancellation)."""
    try:
        conn = await backend.connection()
        session = await connect(options, conn.endpoint, conn.auth, timeout_s=timeout_s)
        await session.close()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return user_error_for(exc)
    return None
