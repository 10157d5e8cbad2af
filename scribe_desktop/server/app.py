"""The aiohttp application: one port serves the realtime WebSocket and the token endpoint.

websockets' server cannot answer a `POST`, hence aiohttp for both routes. `serve` listens
through `admission.ConnectionGuard` (caps on connections that are not an authenticated
session) with aiohttp's keep-alive timeout as the handshake timeout (see admission.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, web

from ..protocol.errors import ErrorType
from ..protocol.options import (
    KNOWN_MODEL_IDS,
    REALTIME_PATH,
    TOKEN_PATH,
    OptionsError,
    SessionOptions,
)
from .admission import ConnectionGuard
from .config import ServerConfig
from .engines.base import Engine, EngineInfo
from .languages import resolve_language
from .resources import pending_budget, raise_open_file_limit
from .session import RealtimeSession, send_error
from .tokens import TokenStore, authenticate

log = logging.getLogger(__name__)

AUTH_ERROR_TEXT = "You must be authenticated to use this endpoint."  # live text (§3)
MAX_FRAME_BYTES = 16 * 1024 * 1024  # so an oversized chunk gets chunk_size_exceeded, not 1009
# asyncio accepts up to `backlog` sockets per wake-up before any abort() releases its file:
# the backlog bounds the files a burst of connects can take beyond the pending caps. Below
# ~200 files such a burst can still meet EMFILE, which is then logged once per interval
# (log_limits.py); a smaller backlog would drop SYNs instead, costing real clients seconds.
LISTEN_BACKLOG = 128

CONFIG_KEY = web.AppKey("config", ServerConfig)
ENGINE_KEY = web.AppKey("engine", Engine)
TOKENS_KEY = web.AppKey("tokens", TokenStore)
ACTIVE_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("active_sessions")
SOCKETS_KEY: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets")
GUARD_KEY = web.AppKey("admission", ConnectionGuard)


def check_options(options: SessionOptions, info: EngineInfo) -> None:
    """Parameters the protocol allows but this server rejects (→ invalid_request, 1008)."""
    if options.model_id not in KNOWN_MODEL_IDS:
        supported = ", ".join(f"'{m}'" for m in KNOWN_MODEL_IDS)
        # the live server's wording (§6.10)
        raise OptionsError(f"The model_id '{options.model_id}' is invalid. Supported models: "
                           f"{supported}.")
    resolve_language(options.language_code, info)  # the languages the engine declares


@web.middleware
async def origin_guard(request: web.Request,
                       handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
    """Browsers always send Origin: a page from an origin not allowed gets HTTP 403 before
    any upgrade (rule C10's handshake rejection), so a web page cannot use the local server.
    Requests without Origin (native clients) pass. Allowed origins get CORS headers."""
    origin = request.headers.get("Origin")
    allowed = request.app[CONFIG_KEY].allowed_origins
    if origin is not None and origin not in allowed and "*" not in allowed:
        log.warning("rejecting origin %r", origin)
        raise web.HTTPForbidden(text='{"detail": "Origin not allowed"}',
                                content_type="application/json")
    if request.method == "OPTIONS" and origin is not None:
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    if origin is not None and not response.prepared:  # a WebSocket is long past headers
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "xi-api-key, content-type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Vary"] = "Origin"
    return response


@web.middleware
async def admission_state(request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                          ) -> web.StreamResponse:
    """A connection inside a request is never cut for the pending cap; between requests it
    is idle, and may be (admission.py)."""
    guard = request.app.get(GUARD_KEY)
    if guard is None:
        return await handler(request)
    guard.busy(request.transport)
    try:
        return await handler(request)
    finally:
        guard.idle(request.transport)


async def mint_token(request: web.Request) -> web.Response:
    """`POST /v1/single-use-token/realtime_scribe` with `xi-api-key` (§8)."""
    config = request.app[CONFIG_KEY]
    key = request.headers.get("xi-api-key")
    if config.auth and (key is None or not authenticate(
            secret=config.secret, tokens=request.app[TOKENS_KEY], header_key=key,
            query_token=None)):
        return web.json_response({"detail": "Invalid or missing xi-api-key header."},
                                 status=401)
    return web.json_response({"token": request.app[TOKENS_KEY].mint()})


async def realtime(request: web.Request) -> web.StreamResponse:
    """`GET /v1/speech-to-text/realtime`: rules S1-S7."""
    config = request.app[CONFIG_KEY]
    ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True)
    await ws.prepare(request)  # rule S1: no subprotocol; errors come after the upgrade
    sockets = request.app[SOCKETS_KEY]
    sockets.add(ws)
    try:
        guard = request.app.get(GUARD_KEY)
        if config.auth and not authenticate(
                secret=config.secret, tokens=request.app[TOKENS_KEY],
                header_key=request.headers.get("xi-api-key"),
                query_token=request.query.get("token")):
            if guard is not None:
                guard.idle(request.transport)  # waiting for its close frame: evictable
            # §3 observed live: auth_error after open, close 1000 with an empty reason
            await send_error(ws, ErrorType.AUTH_ERROR, AUTH_ERROR_TEXT, reason="")
            return ws
        if guard is not None:
            guard.session(request.transport)  # authenticated: no longer counts as pending
        try:
            options = SessionOptions.from_query(request.query.items())
            check_options(options, request.app[ENGINE_KEY].info)
        except OptionsError as exc:
            # rule B3 / S6: accept, send invalid_request, close 1008 "invalid_request"
            await send_error(ws, ErrorType.INVALID_REQUEST, str(exc),
                             code=WSCloseCode.POLICY_VIOLATION)
            return ws
        active = request.app[ACTIVE_KEY]
        # a socket counts until its close frame is sent (aiohttp marks it closed first), so a
        # client that saw its session close can always open the next one
        if sum(not w.closed for w in active) >= config.max_sessions:
            await send_error(ws, ErrorType.RESOURCE_EXHAUSTED,
                             f"The local server is at capacity ({config.max_sessions} "
                             "concurrent sessions). Close a session or try again later.")
            return ws
        session = RealtimeSession(ws, options, request.app[ENGINE_KEY], config)
        active.add(ws)
        try:
            await session.run()
        finally:
            active.discard(ws)
    except ConnectionError:
        log.info("client went away")
    finally:
        sockets.discard(ws)
        if not ws.closed:
            await ws.close()
    return ws


async def _close_sockets(app: web.Application) -> None:
    sockets = app[SOCKETS_KEY]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


def build_app(config: ServerConfig, engine: Engine, tokens: TokenStore | None = None,
              guard: ConnectionGuard | None = None) -> web.Application:
    app = web.Application(middlewares=[admission_state, origin_guard])
    app[CONFIG_KEY] = config
    app[ENGINE_KEY] = engine
    app[TOKENS_KEY] = tokens or TokenStore(config.token_ttl_s)
    app[SOCKETS_KEY] = set()
    app[ACTIVE_KEY] = set()
    if guard is not None:
        app[GUARD_KEY] = guard
    app.router.add_get(REALTIME_PATH, realtime)
    app.router.add_post(TOKEN_PATH, mint_token)
    app.router.add_route("OPTIONS", TOKEN_PATH, mint_token)  # CORS preflight (middleware)
    app.on_shutdown.append(_close_sockets)
    return app


def make_guard(config: ServerConfig) -> ConnectionGuard:
    """Raise the open-file limit, then cap pending connections to what fits in it."""
    limit = raise_open_file_limit()
    budget = pending_budget(limit, config.max_sessions)
    max_pending = config.max_pending if budget is None else min(config.max_pending, budget)
    guard = ConnectionGuard(max_pending, config.max_pending_per_peer)
    log.info("open files: soft limit %s (hard %s, %d in use); pending connections capped at "
             "%d (%d per peer); handshake timeout %g s",
             "unlimited" if limit.soft is None else limit.soft,
             "unlimited" if limit.hard is None else limit.hard, limit.in_use,
             guard.max_pending, guard.max_per_peer, config.handshake_timeout_s)
    return guard


async def serve(config: ServerConfig, engine: Engine, *,
                on_ready: Callable[[dict[str, Any]], None],
                stop: asyncio.Event) -> None:
    """Listen until `stop` is set; `on_ready` gets the ready event, which also says which
    engine, model and languages the server runs."""
    # Each live session may hold two blocking engine calls at once (its feed or commit, and a
    # background partial decode): size the thread pool so sessions never queue for threads.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(
        max_workers=2 * config.max_sessions + 4, thread_name_prefix="scribe-engine-call"))
    guard = make_guard(config)
    # keepalive_timeout is armed at connection start too: it is the handshake timeout
    runner = web.AppRunner(build_app(config, engine, guard=guard), access_log=None,
                           handle_signals=False, keepalive_timeout=config.handshake_timeout_s)
    await runner.setup()
    assert runner.server is not None
    listener: asyncio.Server | None = None
    try:
        listener = await asyncio.get_running_loop().create_server(
            guard.wrap(runner.server), config.host, config.port, backlog=LISTEN_BACKLOG)
        host, port = listener.sockets[0].getsockname()[:2]
        url_host = f"[{host}]" if ":" in host else host
        on_ready({"event": "ready", "host": host, "port": port,
                  "base_url": f"http://{url_host}:{port}", "secret": config.secret,
                  **engine.info.ready_fields()})
        await stop.wait()
    finally:
        if listener is not None:
            listener.close()
        await runner.cleanup()
        guard.close()
