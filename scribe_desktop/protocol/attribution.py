"""Whose is each commit: our commit requests, their answers and the doubt between. Sans-I/O.

Rule C5: a `committed_transcript` is the answer to our oldest unanswered commit request, or
the server's own (VAD or automatic) commit. While one of our requests is pending and the
server may also commit on its own, the two cannot be told apart: the attribution is FIFO
and marked uncertain, and our answers count as complete only once the server has been quiet
for twice the slowest round trip seen (`CommitAttribution.settle_wait`).

Only certain answers time a round trip: the server's own commit, counted for ours, can arrive
any time after our request and would make the round trip look short.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

from .options import MIN_COMMIT_AUDIO_S, CommitStrategy

# The service commits on its own after this much uncommitted audio in manual mode (§10.2:
# documented 90 s, observed ≈36 s); below it a commit can only be the answer to ours. A
# server may announce its own interval (`AUTO_COMMIT_CONFIG_KEY` in session_started.config,
# which our local server does); it is read when present, never required (C2).
SERVER_AUTO_COMMIT_FLOOR_S = 30.0
AUTO_COMMIT_CONFIG_KEY = "auto_commit_interval_secs"
DEFAULT_ROUND_TRIP_S = 1.0  # assumed commit round trip before one was measured
REPLAY_MARGIN_MIN_S = 2.0  # a server commit surely covers audio sent this long before it
SETTLE_MIN_S, SETTLE_MAX_S = 0.3, 5.0
# a server that commits at a pause sees one at its chunk boundaries: up to one chunk late
PAUSE_CHUNK_S = 0.25


def announced_auto_commit_s(config: Mapping[str, Any], default: float) -> float:
    """The automatic-commit interval a server announced in session_started.config, if it
    did (a number >= 0; 0: it may commit at any moment), else `default`."""
    value = config.get(AUTO_COMMIT_CONFIG_KEY) if isinstance(config, Mapping) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


def commit_padding_s(commit_strategy: CommitStrategy, vad_silence_s: float, *,
                     server_may_commit: bool, final: bool) -> float:
    """The silence a commit request is padded to, so that it is not throttled even if the
    server committed on its own just before reading it (C6 with C5). When the server may
    segment by VAD, or this is the `final` commit, the VAD silence plus 0.3 s (its VAD then
    commits any speech within the padding, leaving 0.3 s for ours); while a manual-mode
    server may commit on its own (at a pause, which the padding is), twice 0.3 s plus a
    chunk; any other final commit 0.3 s. Should a commit still be throttled, see
    `Uplink.on_throttled`: nothing is lost."""
    if server_may_commit and (final or commit_strategy is not CommitStrategy.MANUAL):
        return vad_silence_s + MIN_COMMIT_AUDIO_S
    if server_may_commit:
        return 2 * MIN_COMMIT_AUDIO_S + PAUSE_CHUNK_S
    return MIN_COMMIT_AUDIO_S if final else 0.0


class CommitAttribution:
    """Our numbered commit requests and the answers attributed to them (see module doc)."""

    def __init__(self, commit_strategy: CommitStrategy, *, first_request: int = 1,
                 round_trip_s: float | None = None, server_commits_seen: bool = False,
                 auto_commit_floor_s: float = SERVER_AUTO_COMMIT_FLOOR_S) -> None:
        self.commit_strategy = commit_strategy
        self.next_request = first_request
        # (request, sent at, whether the server could have committed on its own by then)
        self.pending: deque[tuple[int, float | None, bool]] = deque()
        self.slowest_round_trip_s = round_trip_s  # the slowest answer to a commit of ours
        self.last_message_at: float | None = None
        self.uncertain = False  # an answer since our last request may have been the server's
        self.server_commits_seen = server_commits_seen
        self.auto_commit_floor_s = auto_commit_floor_s

    @property
    def round_trip_s(self) -> float:
        """The slowest commit -> answer time seen on this stream (a default before any)."""
        return DEFAULT_ROUND_TRIP_S if self.slowest_round_trip_s is None \
            else self.slowest_round_trip_s

    @property
    def replay_margin_s(self) -> float:
        """How long before its arrival a server's own commit surely covered what was sent."""
        return max(REPLAY_MARGIN_MIN_S, 1.5 * self.round_trip_s)

    def server_may_commit(self, uncommitted_s: float) -> bool:
        """Whether a commit the server makes on its own can arrive now (C5): always with
        server-side segmentation or once the server has shown it commits on its own, and in
        manual mode once enough audio is uncommitted for its automatic commit."""
        if self.commit_strategy is not CommitStrategy.MANUAL or self.server_commits_seen:
            return True
        return uncommitted_s >= self.auto_commit_floor_s

    def requested(self, now: float, server_may_commit: bool) -> int:
        """A commit request of ours was sent; its number."""
        request = self.next_request
        self.next_request += 1
        self.pending.append((request, now, server_may_commit))
        self.uncertain = False  # from now on, only answers to this request matter
        return request

    def attribute(self, now: float | None, uncommitted_s: float) -> tuple[int | None, bool]:
        """(request answered, certain) for a commit arriving now."""
        if not self.pending:
            self.server_commits_seen = True
            self.uncertain = True
            return None, True
        request, sent_at, could = self.pending.popleft()
        certain = not (could or self.server_may_commit(uncommitted_s))
        if not certain:
            # if this was the server's own commit, it commits on its own from anywhere it
            # chooses: our later requests cannot be told from its commits either
            self.server_commits_seen = True
            self.uncertain = True
        elif sent_at is not None and now is not None:
            self.slowest_round_trip_s = max(self.slowest_round_trip_s or 0.0, now - sent_at)
        return request, certain

    def settle_wait(self, now: float) -> float | None:
        """None once every commit we asked for is answered beyond doubt; otherwise how long
        to wait before asking again (`math.inf`: until the next event). In doubt, the server
        must also have been quiet for twice the slowest round trip seen."""
        if self.pending:
            return math.inf
        if not self.uncertain or self.last_message_at is None:
            return None
        quiet_for = now - self.last_message_at
        needed = min(max(2 * self.round_trip_s, SETTLE_MIN_S), SETTLE_MAX_S)
        return needed - quiet_for if quiet_for < needed else None
