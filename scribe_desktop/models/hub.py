"""What the Hugging Face Hub (or a Hub-compatible mirror) says about a model repository.

huggingface_hub does the talking: `HfApi.model_info(files_metadata=True)` lists the files with
their sizes, git blob ids and LFS sha256, `hf_hub_url` builds each file's resolve URL and
`get_hf_file_metadata` (a HEAD that stops at the CDN redirect) gives the download location and
the ETag. No token is ever sent (`token=False`): the models are public and the endpoint may be
a third-party mirror. Errors are translated into this package's typed errors here.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import __version__
from .catalogue import ALLOW_PATTERNS, ModelSpec
from .digest import Digest, DigestKind
from .errors import ModelsError, NetworkError, RemoteError, RemoteNotFoundError

ENV_ENDPOINT = "SCRIBE_DESKTOP_HF_ENDPOINT"
DEFAULT_ENDPOINT = "https://huggingface.co"
METADATA_TIMEOUT_S = 20.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GIT_OID = re.compile(r"^[0-9a-f]{40}$")


def resolve_endpoint(explicit: str | None = None) -> str:
    """The download source: the argument, else $SCRIBE_DESKTOP_HF_ENDPOINT, else $HF_ENDPOINT,
    else https://huggingface.co. Any Hub-compatible mirror (e.g. https://hf-mirror.com) works."""
    endpoint = (explicit or os.environ.get(ENV_ENDPOINT) or os.environ.get("HF_ENDPOINT")
                or DEFAULT_ENDPOINT)
    return endpoint.rstrip("/")


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str
    size: int
    digest: Digest  # what the downloaded bytes must hash to
    url: str  # where to GET them (the CDN location when the Hub redirects)


@dataclass(frozen=True, slots=True)
class RemoteModel:
    repo_id: str
    commit: str
    endpoint: str
    files: tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def origin(self) -> str:
        return f"{self.endpoint}/{self.repo_id}@{self.commit}"


def resolve(spec: ModelSpec, endpoint: str) -> RemoteModel:
    """Ask `endpoint` for the files of `spec` that a model needs (network; blocking)."""
    from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import filter_repo_objects  # type: ignore[attr-defined]

    what = f"model repository {spec.repo_id}"
    api = HfApi(endpoint=endpoint, token=False, library_name="scribe-desktop",
                library_version=__version__)
    with translated(endpoint, what):
        info = api.model_info(spec.repo_id, revision=spec.revision, files_metadata=True,
                              timeout=METADATA_TIMEOUT_S, token=False)
    commit = info.sha
    if not commit or not info.siblings:
        raise RemoteError(endpoint, f"the reply about {spec.repo_id} lists no files or commit")
    siblings = list(filter_repo_objects(info.siblings, allow_patterns=list(ALLOW_PATTERNS),
                                        key=lambda s: s.rfilename))
    files = []
    for sibling in siblings:
        url = hf_hub_url(spec.repo_id, sibling.rfilename, revision=commit, endpoint=endpoint)
        with translated(endpoint, f"{sibling.rfilename} in {spec.repo_id}"):
            meta = get_hf_file_metadata(url, token=False, timeout=METADATA_TIMEOUT_S)
        size = sibling.size if sibling.size is not None else meta.size
        if size is None:
            raise RemoteError(endpoint, f"no size published for {sibling.rfilename}")
        digest = _expected_digest(endpoint, sibling, meta.etag)
        files.append(RemoteFile(sibling.rfilename, size, digest, meta.location or url))
    return RemoteModel(spec.repo_id, commit, endpoint, tuple(files))


def _expected_digest(endpoint: str, sibling: Any, etag: str | None) -> Digest:
    """The LFS sha256 (model info, cross-checked with the ETag), else the git blob id."""
    lfs_sha = sibling.lfs.sha256 if sibling.lfs is not None else None
    etag = (etag or "").lower() or None
    if lfs_sha and etag and _SHA256.match(etag) and etag != lfs_sha:
        raise RemoteError(endpoint, f"the server gives two different sha256 for "
                          f"{sibling.rfilename} ({lfs_sha} and {etag})")
    if lfs_sha:
        return Digest(DigestKind.SHA256, lfs_sha)
    if etag and _SHA256.match(etag):
        return Digest(DigestKind.SHA256, etag)
    oid = sibling.blob_id or (etag if etag and _GIT_OID.match(etag) else None)
    if oid:
        return Digest(DigestKind.GIT_OID, oid)
    raise RemoteError(endpoint, f"no hash published for {sibling.rfilename}: cannot verify it")


@contextlib.contextmanager
def translated(endpoint: str, what: str) -> Iterator[None]:
    """Turn huggingface_hub / HTTP / socket failures into this package's typed errors."""
    # huggingface_hub.utils re-exports these from 0.23 to 2.x (their home module moved)
    from huggingface_hub.utils import (  # type: ignore[attr-defined]
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        yield
    except ModelsError:
        raise
    except GatedRepoError as exc:
        raise RemoteError(endpoint, f"{what} is gated (it needs an account)") from exc
    except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError) as exc:
        # The Hub answers 401 for a repository that does not exist (or is private).
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise RemoteNotFoundError(what, endpoint, status) from exc
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", None)
        if status == 404:
            raise RemoteNotFoundError(what, endpoint) from exc
        raise RemoteError(endpoint, f"HTTP {status} for {what}") from exc
    except OfflineModeIsEnabled as exc:
        raise NetworkError(endpoint, "offline mode is on (HF_HUB_OFFLINE)") from exc
    except Exception as exc:
        reason = network_reason(exc)
        if reason is not None:
            raise NetworkError(endpoint, reason) from exc
        if isinstance(exc, ValueError | KeyError | TypeError):  # a reply that is not a Hub's
            raise RemoteError(endpoint, f"unexpected reply about {what} ({exc})") from exc
        raise


_NETWORK_CLASSES = {"ConnectError", "ConnectionError", "NetworkError", "ReadError",
                    "WriteError", "RemoteProtocolError", "ProxyError", "ChunkedEncodingError",
                    "TransportError", "ProtocolError"}


def network_reason(exc: BaseException) -> str | None:
    """A short reason if `exc` (or its cause) is a network failure, else None.

    Looks at the exception chain instead of HTTP-library classes: huggingface_hub wraps
    requests, httpx or httpx2 depending on its version, and all of them keep the socket error.
    """
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(seen) < 10 and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    for e in seen:
        if isinstance(e, socket.gaierror):
            return "host not found (no network, or a wrong address)"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
    for e in seen:
        if isinstance(e, TimeoutError) or "Timeout" in type(e).__name__:
            return "timed out"
        if isinstance(e, ssl.SSLError):
            return f"TLS error ({e})"
    for e in seen:
        names = {c.__name__ for c in type(e).__mro__}
        if isinstance(e, ConnectionError) or names & _NETWORK_CLASSES:
            return f"network error ({e})" if str(e) else "network error"
    return None
