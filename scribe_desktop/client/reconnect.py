"""Continue a lost session on a new connection, replaying what was not committed (C8, C11).

The official SDKs do not reconnect (§12.5), so we do: mint a fresh token per attempt (through
`connect`), seed `previous_text` with the tail of the committed text, and re-send the audio no
received `committed_transcript` covers, with the commits we had asked for. Fatal errors (auth,
quota, terms, invalid request; HTTP 401/403) stop at once.

The backoff is a short explicit loop rather than websockets' `async for ws in connect()`
iterator: every attempt needs a new URL (a new single-use token) and a `session_started`
wait, which that iterator cannot do. Runs on the session's loop; cancelling it cancels the
attempt in progress and leaves no session open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from .auth import Auth, Endpoint
from .errors import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    ScribeError,
    ScribeServerError,
    TokenMintError,
)
from .session import DEFAULT_CONNECT_TIMEOUT_S, ScribeSession, TokenMinter, connect
from .tokens import mint_token

log = logging.getLogger(__name__)

DEFAULT_RECONNECT_DELAYS_S = (0.0, 1.0, 2.0, 4.0)  # [DOC-OLD]: backoff at 1, 2 and 4 s


def is_fatal(error: BaseException) -> bool:
    """True when trying again with the same credentials and options cannot help."""
    if isinstance(error, ScribeServerError):
        return error.fatal
    if isinstance(error, HandshakeRejectedError):
        return error.is_auth_failure
    return not isinstance(error, ConnectError | ConnectionLostError | TokenMintError)


async def reconnect(lost: ScribeSession, endpoint: Endpoint, auth: Auth, *,
                    delays_s: Sequence[float] = DEFAULT_RECONNECT_DELAYS_S,
                    timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                    mint: TokenMinter = mint_token) -> ScribeSession:
    """A new started session that continues `lost`'s stream; one attempt per delay.

    The replayed commits are commit requests of the new connection (numbering continues),
    so its `Commit` events keep telling our commits from the server's. Raises the last error
    when every attempt failed, or a fatal error at once.
    """
    await lost.close()  # idempotent; frees the old socket and tasks
    loop = asyncio.get_running_loop()
    last: ScribeError | None = None
    for attempt, delay in enumerate(delays_s, 1):
        if delay > 0:
            await asyncio.sleep(delay)
        connection, plan = lost.connection.successor(loop.time())
        try:
            session = await connect(lost.options, endpoint, auth, timeout_s=timeout_s,
                                    mint=mint, connection=connection)
        except ScribeError as exc:
            if is_fatal(exc):
                raise
            log.info("reconnect attempt %d failed: %s", attempt, exc)
            last = exc
            continue
        try:
            for item in plan.items:
                await session.send_audio(item.audio, inserted=item.inserted)
                if item.commit:
                    await session.commit()
        except ScribeError as exc:
            await session.close()
            if is_fatal(exc):
                raise
            log.info("replay on reconnect attempt %d failed: %s", attempt, exc)
            last = exc
            continue
        except BaseException:
            await session.close()
            raise
        log.info("reconnected after %d attempt(s); replayed %.2f s", attempt,
                 lost.options.effective_audio_format.duration_s(plan.audio_bytes))
        return session
    if last is None:
        raise ValueError("delays_s is empty: no reconnect attempt was made")
    raise last
