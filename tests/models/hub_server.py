"""A real HTTP server that serves model repositories in the Hugging Face Hub layout.

It answers the calls huggingface_hub and the model downloader make:

- `GET /api/models/{repo}/revision/{rev}` (model info; `?blobs=true` adds sizes, git blob ids
  and the LFS sha256 of each sibling), 404 with `X-Error-Code: RepoNotFound` for unknown repos;
- `HEAD|GET /{repo}/resolve/{rev}/{file}`: regular files come back directly with `ETag` (the git
  blob id), `X-Repo-Commit` and `Content-Length`; LFS files (`*.bin`) redirect like the Hub does
  to a CDN on ANOTHER origin (a second port) with `X-Linked-Etag` (the sha256) and
  `X-Linked-Size`;
- `HEAD|GET /blobs/{sha256}` on the CDN origin, with `Range: bytes=N-` support (206).

It counts the body bytes it writes per file and records every request, and it can inject
faults: stop once at an offset (drop the connection, or hang until released), flip a byte,
or pause between chunks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, Literal
from urllib.parse import unquote, urlsplit

CHUNK = 64 * 1024
LFS_SUFFIXES = (".bin",)


@dataclass(frozen=True)
class RepoFile:
    name: str
    path: Path
    size: int
    sha256: str
    git_oid: str  # git blob sha1 of the content: what the Hub reports as blobId / ETag

    @property
    def lfs(self) -> bool:
        return self.name.endswith(LFS_SUFFIXES)

    @classmethod
    def of(cls, name: str, path: Path) -> RepoFile:
        sha256, sha1 = hashlib.sha256(), hashlib.sha1()
        size = path.stat().st_size
        sha1.update(b"blob %d\0" % size)
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                sha256.update(block)
                sha1.update(block)
        return cls(name, path, size, sha256.hexdigest(), sha1.hexdigest())


@dataclass
class Repo:
    repo_id: str
    commit: str
    files: dict[str, RepoFile]


@dataclass
class Stall:
    at: int
    mode: Literal["drop", "hang"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    file: str | None
    range_start: int | None


@dataclass
class HubState:
    repos: dict[str, Repo] = field(default_factory=dict)
    served: Counter[str] = field(default_factory=Counter)
    # bumped by reset_counts: a response begun before (a killed client's, still being written
    # into its dead socket) no longer counts
    epoch: int = 0
    requests: list[Request] = field(default_factory=list)
    stalls: dict[str, Stall] = field(default_factory=dict)
    corrupt_at: dict[str, int] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    chunk_delay_s: float = 0.0
    # huggingface.co answers 401 for a repository that does not exist; mirrors often 404
    missing_repo_status: int = 404
    released: threading.Event = field(default_factory=threading.Event)
    cond: threading.Condition = field(default_factory=threading.Condition)
    cdn_base: str = ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hang up: expected
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class HubServer:
    """Two real HTTP servers on 127.0.0.1 (hub API + CDN) sharing one state; a context manager."""

    def __init__(self) -> None:
        self.state = HubState()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    # -- content -------------------------------------------------------------------------

    def add_repo(self, repo_id: str, files: dict[str, Path], commit: str | None = None) -> Repo:
        """Serve `files` (repo file name -> local path) as `repo_id` at branch main."""
        entries = {name: RepoFile.of(name, path) for name, path in files.items()}
        commit = commit or hashlib.sha1(repo_id.encode()).hexdigest()
        repo = Repo(repo_id, commit, entries)
        self.state.repos[repo_id] = repo
        return repo

    def add_prepared_repo(self, repo_id: str, files: dict[str, RepoFile],
                          commit: str | None = None) -> Repo:
        """Serve already hashed files (hashing a 75 MB model once per session is enough)."""
        repo = Repo(repo_id, commit or hashlib.sha1(repo_id.encode()).hexdigest(), dict(files))
        self.state.repos[repo_id] = repo
        return repo

    # -- faults and observation ------------------------------------------------------------

    def stall_once(self, file: str, at: int, mode: Literal["drop", "hang"] = "drop") -> None:
        """The next response for `file` stops after byte offset `at` (drop: close the socket;
        hang: keep it open until `release()`)."""
        self.state.stalls[file] = Stall(at, mode)

    def corrupt(self, file: str, offset: int) -> None:
        """Every response for `file` carries a flipped byte at `offset`."""
        self.state.corrupt_at[file] = offset

    def hide(self, file: str) -> None:
        """`file` stays in the model info but its resolve URL answers 404."""
        self.state.hidden.add(file)

    def heal(self) -> None:
        self.state.hidden.clear()
        self.state.corrupt_at.clear()
        self.state.stalls.clear()
        self.state.chunk_delay_s = 0.0

    def slow(self, chunk_delay_s: float) -> None:
        self.state.chunk_delay_s = chunk_delay_s

    def release(self) -> None:
        self.state.released.set()

    def served(self, file: str) -> int:
        with self.state.cond:
            return self.state.served[file]

    def reset_counts(self) -> None:
        with self.state.cond:
            self.state.served.clear()
            self.state.requests.clear()
            self.state.epoch += 1

    def requests_for(self, file: str, method: str = "GET") -> list[Request]:
        with self.state.cond:
            return [r for r in self.state.requests if r.file == file and r.method == method]

    def wait_served(self, file: str, at_least: int, timeout_s: float = 30.0) -> bool:
        with self.state.cond:
            return self.state.cond.wait_for(lambda: self.state.served[file] >= at_least,
                                            timeout_s)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        host, port = self._servers[0].server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> HubServer:
        for role in ("hub", "cdn"):
            server = _Server(("127.0.0.1", 0), _handler(self.state, role))
            self._servers.append(server)
            thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                                      name=f"hub-{role}", daemon=True)
            thread.start()
            self._threads.append(thread)
        host, port = self._servers[1].server_address[:2]
        self.state.cdn_base = f"http://{host!s}:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.released.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)


RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/revision/(?P<rev>[^/]+))?$")
BLOB = re.compile(r"^/blobs/(?P<sha>[0-9a-f]{64})$")
RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


def _handler(state: HubState, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet test output

        def do_GET(self) -> None:
            self._route(body=True)

        def do_HEAD(self) -> None:
            self._route(body=False)

        # -- routing ---------------------------------------------------------------------

        def _route(self, body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            if role == "cdn":
                m = BLOB.match(path)
                found = m and self._blob(m["sha"])
                if not found:
                    return self._error(404, "EntryNotFound")
                return self._send_file(found, body)
            if m := INFO.match(path):
                return self._info(m["repo"], m["rev"] or "main")
            if m := RESOLVE.match(path):
                return self._resolve(m["repo"], m["rev"], m["file"], body)
            return self._error(404, None)

        def _blob(self, sha: str) -> RepoFile | None:
            for repo in state.repos.values():
                for f in repo.files.values():
                    if f.sha256 == sha:
                        return f
            return None

        def _repo(self, repo_id: str, rev: str) -> Repo | None:
            repo = state.repos.get(repo_id)
            if repo is None:
                self._error(state.missing_repo_status, "RepoNotFound")
                return None
            if rev not in ("main", repo.commit):
                self._error(404, "RevisionNotFound")
                return None
            return repo

        def _info(self, repo_id: str, rev: str) -> None:
            self._record(None)
            repo = self._repo(repo_id, rev)
            if repo is None:
                return
            blobs = "blobs=true" in (urlsplit(self.path).query or "").lower()
            siblings = []
            for f in repo.files.values():
                entry: dict[str, object] = {"rfilename": f.name}
                if blobs:
                    entry.update(size=f.size, blobId=f.git_oid)
                    if f.lfs:
                        entry["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": 134}
                siblings.append(entry)
            # The fields the Hub always sends (huggingface_hub 0.2x requires some of them).
            data = json.dumps({"_id": repo.commit[:24], "id": repo.repo_id,
                               "modelId": repo.repo_id, "author": repo.repo_id.split("/")[0],
                               "sha": repo.commit, "private": False, "disabled": False,
                               "gated": False, "downloads": 0, "likes": 0, "tags": [],
                               "library_name": "ctranslate2",
                               "createdAt": "2023-11-23T09:40:00.000Z",
                               "lastModified": "2023-11-23T09:41:00.000Z",
                               "siblings": siblings}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _resolve(self, repo_id: str, rev: str, name: str, body: bool) -> None:
            repo = self._repo(repo_id, rev)
            if repo is None:
                return
            f = repo.files.get(name)
            if f is None or name in state.hidden:
                return self._error(404, "EntryNotFound", commit=repo.commit)
            if f.lfs:  # the Hub redirects LFS files to its CDN, metadata on the redirect
                self._record(f.name)
                self.send_response(302)
                self.send_header("Location", f"{state.cdn_base}/blobs/{f.sha256}")
                self.send_header("X-Repo-Commit", repo.commit)
                self.send_header("X-Linked-Etag", f'"{f.sha256}"')
                self.send_header("X-Linked-Size", str(f.size))
                self.send_header("ETag", f'"{f.git_oid}"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._send_file(f, body, etag=f.git_oid, commit=repo.commit)

        # -- responses -------------------------------------------------------------------

        def _record(self, file: str | None, range_start: int | None = None) -> None:
            with state.cond:
                state.requests.append(Request(self.command, self.path, file, range_start))

        def _error(self, status: int, code: str | None, commit: str | None = None) -> None:
            self._record(None)
            data = json.dumps({"error": code or "not found"}).encode()
            self.send_response(status)
            if code:
                self.send_header("X-Error-Code", code)
            if commit:
                self.send_header("X-Repo-Commit", commit)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_file(self, f: RepoFile, body: bool, etag: str | None = None,
                       commit: str | None = None) -> None:
            start = 0
            header = self.headers.get("Range")
            if header and (m := RANGE.match(header.strip())):
                start = int(m[1])
                if start >= f.size:
                    self._record(f.name, start)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{f.size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self._record(f.name, start if header else None)
            self.send_response(206 if header else 200)
            if header:
                self.send_header("Content-Range", f"bytes {start}-{f.size - 1}/{f.size}")
            self.send_header("Content-Length", str(f.size - start))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", f'"{etag or f.sha256}"')
            if commit:
                self.send_header("X-Repo-Commit", commit)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            if body:
                self._stream(f, start)

        def _stream(self, f: RepoFile, start: int) -> None:
            stall = state.stalls.pop(f.name, None)
            corrupt = state.corrupt_at.get(f.name)
            epoch = state.epoch
            pos = start
            with f.path.open("rb") as src, contextlib.suppress(ConnectionError):
                src.seek(start)
                for chunk in _chunks(src):
                    if stall is not None and pos + len(chunk) > stall.at:
                        chunk = chunk[: max(stall.at - pos, 0)]
                    if corrupt is not None and pos <= corrupt < pos + len(chunk):
                        i = corrupt - pos
                        chunk = chunk[:i] + bytes([chunk[i] ^ 0xFF]) + chunk[i + 1:]
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    pos += len(chunk)
                    with state.cond:
                        if state.epoch == epoch:
                            state.served[f.name] += len(chunk)
                        state.cond.notify_all()
                    if stall is not None and pos >= stall.at:
                        if stall.mode == "hang":
                            state.released.wait()
                        self.close_connection = True
                        return
                    if state.chunk_delay_s:
                        state.released.wait(state.chunk_delay_s)  # pacing, not test waiting

    return Handler


def _chunks(src: BinaryIO) -> Iterator[bytes]:
    while block := src.read(CHUNK):
        yield block
