"""The benchmark areas of docs/benchmarks.md: how each is run and how its JSON becomes a table.

Each area is one benchmark module run as `python -m bench.<module> <args> --json` (a child
process, so rigs, Qt and servers of one benchmark never leak into the next); `render` turns
the JSON object it printed into the section's text: a short description of what was measured,
a Markdown table, and the definitions of its columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import (
    client_latency,
    engine_compare,
    entity_bench,
    faults,
    server_abuse,
    server_latency,
    shaping_bench,
    vad_quality,
)


@dataclass(frozen=True)
class Area:
    name: str  # the --only / --skip name
    title: str  # the section heading
    module: str  # bench.<module>
    timeout_s: float
    render: Callable[[dict[str, Any]], str]
    args: tuple[str, ...] = ()


def _num(value: Any, fmt: str = ".1f", unit: str = "") -> str:
    """`value` formatted, or "n/a" when missing or NaN (a benchmark that saw no samples)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:{fmt}}{unit}"


def _pair(a: Any, b: Any, fmt: str = ".0f", unit: str = " ms") -> str:
    return f"{_num(a, fmt)} / {_num(b, fmt)}{unit}"


def _table(header: list[str], rows: list[list[str]], left: int = 0) -> str:
    """A Markdown table; the first `left` columns left-aligned, the others right-aligned."""
    align = "|" + "|".join("---" if i < left else "---:" for i in range(len(header))) + "|"
    lines = ["| " + " | ".join(cells) + " |" for cells in [header, *rows]]
    return "\n".join([lines[0], align, *lines[1:]])


def render_server(data: dict[str, Any]) -> str:
    results = data["results"]
    refused = {r["engine"]: r["refusal"] for r in reversed(results) if r.get("refusal")}
    refusals = "".join(f"\nWhat a refused session receives ({engine}): {text}\n"
                       for engine, text in refused.items())
    return f"""{data['speech']}, {results[0]['audio_s']} s per session, on {data['cpus']}
cores: N sessions opened at once, the server admitting what its cores transcribe in real time
(server/capacity.py) and refusing the rest with `resource_exhausted`; each admitted session
streams at real-time pace in 100 ms chunks over raw WebSockets, a commit after each utterance,
word timestamps on (bench/server_latency.py). `whisper` is tiny.en (int8), one worker process.

{server_latency.markdown(results)}
{refusals}
* **admitted / refused (capacity)**: sessions that got `session_started` / `resource_exhausted`
  (in brackets the server's capacity from its ready line); the refusal's text is quoted
  under the table. **admission off**: the same server
  with `--session-cores 0.01`, which admits every session, as before admission existed.
* **cores used (others)**: CPU seconds of the server process and its engine worker processes
  / wall seconds of the run; in brackets what every other process of the machine used
  meanwhile (this benchmark's client included): the cores were shared. When the work nears
  the cores the server actually gets, latency grows without bound.
* **partial latency**: the chunk holding a word's start sent -> the first partial of its
  segment that shows at least that many words (how long after a word begins a word is on
  screen in its place; words no partial showed before their final are not counted).
* **chunk turnaround**: chunk sent -> the server has processed it (a WebSocket ping after each
  chunk; the server answers it only after the chunk).
* **commit -> final**: commit sent -> `committed_transcript` received. **partials per s**:
  partial messages per second of audio per session (Whisper's thin out under load).
* **WER**: word error rate of the committed text against the reference transcript (mean over
  the admitted sessions).
* **one more, 12 s in**: a session asked for while the others stream: admitted, refused at
  the capacity, or refused because an admitted session is falling behind real time
  (server/pace.py: the cores are busier than the capacity assumes).
"""


def render_engines(data: dict[str, Any]) -> str:
    return f"""{data['speech']}, streamed at real-time pace in 100 ms chunks over raw
WebSockets to the real server, one configuration after the other (bench/engine_compare.py).
VAD rows: every utterance of the corpus, 3 s apart, `commit_strategy=vad`, one session, then
(pocketsphinx and the default whisper) two concurrent sessions. Commit row: a 10.4 s
utterance (the first two LibriVox clips) committed as soon as its audio is sent, with word
timestamps, {engine_compare.REPEATS} times.

{engine_compare.markdown(data['results'])}

* **WER**: word errors of the committed text over the reference words, after Whisper's
  English normaliser on both sides (as the Whisper paper and the Open ASR leaderboard report
  it: "Mr." = "mister", "ill-disposed" = "ill disposed", case, punctuation and fillers
  ignored; and "5 5" = "55", as it already makes "five five"), per speaking style: read
  (LibriVox, CMU cards, LibriSpeech, Common Voice) and spontaneous (MFA monologues and
  podcast); the LibriVox column is the five utterances of
  earlier reports. **WER last partial**: of the last partial before each commit, what the
  user read while speaking. In the two-session rows: the worse of the two sessions.
* **first partial after onset**: the first `partial_transcript` of an utterance received ->
  the moment the chunk holding its speech onset was sent (onset: the first 32 ms frame the
  Silero VAD scores >= 0.5).
* **partial interval**: time between consecutive partial updates of a segment.
* **VAD final lag**: an utterance's last `committed_transcript` received - end of the
  utterance - the 1.5 s of silence the VAD waits for (negative: the clip's own trailing
  silence counted). Whisper VAD sessions decode the final during the pause, before the
  commit (docs/architecture.md, "Early finals").
* **CPU**: CPU seconds of the server and its worker processes / seconds of audio: the cores
  the sessions used together.
* **real time?**: yes when every utterance was committed, the worst final lag stayed under
  2 s and partials kept coming at least every 2 s (p95).
* **commit -> final**: commit sent -> `committed_transcript` received. **RSS**: resident
  memory of the server and its worker processes, idle after start and after the VAD runs.
* `pocketsphinx`: one worker per core. `whisper`: the default server with tiny.en (int8,
  CTranslate2): one worker process decoding in two lanes (one thread each) that share the
  model, greedy finals. `whisper-beam3` (`--beam-size 3`) and `whisper-1lane`
  (`--decode-lanes 1`, one lane with both threads: the default before lanes; commit run
  only) change one flag each.
* Targets for whisper tiny.en on 2 cores: WER <= 5 % on read speech, first partial <= 1.0 s
  after onset, a partial update at least every second, commit -> final <= 400 ms p95 for a
  10 s utterance, one session <= 1 core, two concurrent sessions in real time."""


def render_vad(data: dict[str, Any]) -> str:
    return f"""{data['speech']} through `VadSegmenter` with each frame classifier, with the
protocol's default parameters (1.5 s of silence ends a segment, threshold 0.4), in 100 ms
chunks (bench/vad_quality.py).

{vad_quality.markdown(data['results'])}

* **right**: commits within 2.5 s after the end of an utterance (one per utterance);
  **missed**: utterances without one; **extra**: every other commit (a segment split inside
  speech, or noise taken for speech).
* **delay**: end of the utterance -> its commit (1.5 s of it is the required silence).
* **CPU per s of audio**: classifier and segmenter time per second of audio (one core).
"""


def render_client(data: dict[str, Any]) -> str:
    return f"""Chunk handed to `ScribeSession.send_audio()` -> its frame written to the socket
(transport `write()`), against a sink server in another process (bench/client_latency.py).

{client_latency.markdown(data['result'])}

* **sent every**: the pace chunks are handed over (20x real time, like a file upload).
* **send_audio -> socket write**: the client's own work per chunk: uplink bookkeeping (rules
  C6-C9), base64 + JSON encoding, WebSocket framing.
"""


def render_file(data: dict[str, Any]) -> str:
    r = data["result"]
    return f"""`scribe-desktop transcribe` on the same speech as one FLAC file, local backend
(bench/file_transcription.py).

{_table(["audio", "wall (server start/stop included)", "speed", "WER"],
        [[f"{r['audio_s']:.1f} s", f"{r['wall_s']:.1f} s", f"{r['realtime_x']:.1f}x real time",
          f"{r['wer']:.2f}"]])}

* **wall**: spawning the command -> its exit, including starting and stopping the local server.
* **speed**: audio seconds / wall seconds.
* **WER**: word error rate of the printed text against the reference transcript.
"""


def render_capture(data: dict[str, Any]) -> str:
    rows = [[name, str(r["chunks"]), _num(r["audio_s"], unit=" s"),
             f"{_pair(r['p50_ms'], r['p99_ms'], '.2f')} ({_num(r['max_ms'], '.2f', ' ms')})",
             _num(r["cpu_percent"], unit=" %"), str(r["dropped_frames"])]
            for name, r in data["results"].items()]
    table = _table(["filters", "chunks", "captured", "callback -> client p50 / p99 (max)",
                    "CPU", "dropped frames"], rows, left=1)
    return """The real PortAudio capturing the virtual microphone of an isolated PulseAudio daemon
(tests/rig) while speech plays into it in real time; 50 ms chunks at 16 kHz
(bench/capture_latency.py).

""" + table + """

* **filters**: `plain` = no processing; `ns+agc` = WebRTC noise suppression and automatic
  gain.
* **callback -> client**: the PortAudio callback that completed a chunk -> the consumer
  (where the client's `send_audio` is called) receiving it.
* **CPU**: CPU time of the benchmark process (PortAudio thread + event loop) / wall time
  while capturing, in % of one core.
* **dropped frames**: device frames lost because the consumer fell behind.
""" + _render_starts(data.get("starts", {}))


def _render_starts(starts: dict[str, Any]) -> str:
    if not starts:
        return ""
    rows = [[name, str(r["starts"]), _pair(r["missed_p50_ms"], r["missed_max_ms"]),
             _pair(r["first_chunk_p50_ms"], r["first_chunk_max_ms"])]
            for name, r in starts.items()]
    return """
Dictations started from an idle microphone without pre-roll, faint room noise playing (the
cost of the setting *Close the microphone while idle*):

""" + _table(["microphone while idle", "starts", "audio missed p50 / max",
              "start -> first chunk p50 / max"], rows, left=1) + """

* **audio missed**: the start call -> the first sample the dictation holds; words said in
  that time are not heard. An open microphone starts at the ring's sample of the call (0 by
  construction; with the pre-roll, 0.5 s before it).
* **start -> first chunk**: the start call -> the first 50 ms chunk at the consumer.
"""


def render_app_cpu(data: dict[str, Any]) -> str:
    r = data["results"]
    rows = [[row["config"], _num(row["seconds"], unit=" s"),
             f"{_num(row['app_cpu_percent'], '.2f', ' %')} (goal <= {row['goal_percent']} %)",
             _num(row["app_wakeups_per_s"]),
             _num(row["server_cpu_percent"], ".2f", " %"), _num(row["server_wakeups_per_s"])]
            for row in [*r["idle"], r["streaming"]]]
    busiest = "; ".join(
        f"{row['config']}: " + ", ".join(f"{name} {cpu:.2f} % / {wakes:.0f}/s"
                                         for name, (cpu, wakes) in
                                         list(row["app_threads"].items())[:3])
        for row in [*r["idle"], r["streaming"]] if row["app_threads"])
    return f"""The real app (`python -m scribe_desktop`, offscreen Qt, main window shown) in an
isolated HOME with its local server child (pocketsphinx), capturing the virtual microphone
of the PulseAudio rig while faint pink noise plays into it; launched afresh for each
configuration, left to settle, then measured from /proc; streaming: `--start`, speech played
in {r['chunk_ms']} ms chunks (bench/app_cpu.py).

""" + _table(["configuration", "measured", "app CPU", "app wake-ups/s", "server CPU",
              "server wake-ups/s"], rows, left=1) + f"""

* **app CPU**: CPU time of the app process / wall time, in % of one core; **server**: the
  local server child and its engine workers, separately.
* **wake-ups/s**: voluntary context switches per second (every timer, poll or callback that
  wakes a thread), summed over threads.
* **busiest app threads** (CPU, wake-ups): {busiest or "none"}. `threaded-ml`: the sound
  server's client thread (PulseAudio's ALSA plugin under PortAudio); `?`: threads without a
  Python name, PortAudio's callback thread among them.
"""


def render_gui(data: dict[str, Any]) -> str:
    r = data["results"]
    window = "with the main window" if r["window"] else "without a window"
    table = _table(
        ["message -> partial_changed p50 / p99", "message -> segment_committed p50 / p99",
         "CPU idle", "CPU streaming", "RSS (peak)", "cold start to window"],
        [[f"{_pair(r['partial_p50_ms'], r['partial_p99_ms'], '.2f')} ({r['partials']})",
          f"{_pair(r['commit_p50_ms'], r['commit_p99_ms'], '.2f')} ({r['commits']})",
          _num(r["cpu_idle_percent"], unit=" %"), _num(r["cpu_streaming_percent"], unit=" %"),
          f"{_num(r['rss_mib'], '.0f', ' MiB')} ({_num(r['peak_rss_mib'], '.0f', ' MiB')})",
          f"{_num(r['cold_start_median_s'], '.2f', ' s')} ({r['cold_start_runs']} runs)"]])
    return f"""The real `DictationWorker` on the app's qasync loop (offscreen QApplication,
{window}), the real local server as a child process and the virtual microphone
(bench/gui_latency.py).

{table}

* **message -> signal**: the client decoding a `partial_transcript` / `committed_transcript`
  frame -> the worker's signal returning from the window's slots (the count in brackets:
  messages measured).
* **CPU idle / streaming**: CPU time of the app process / wall time, in % of one core, with
  the microphone open and no dictation / while dictating speech; the server is excluded.
* **RSS (peak)**: resident memory of the app process after streaming (VmRSS, VmHWM).
* **cold start to window**: `python -m scribe_desktop --print-ready` spawned -> its ready
  line once the window is shown, median of fresh launches in isolated HOMEs (from source).
"""


_PTT_SCENARIOS = {"x11": "X11, idle", "x11-load": "X11, all CPUs loaded",
                  "wayland": "Wayland (sway), idle",
                  "wayland-load": "Wayland (sway), all CPUs loaded"}


def render_ptt(data: dict[str, Any]) -> str:
    table = _table(["engine", "desktop", "runs", "misses",
                    "key release -> text in field p50 / p95", "server commit p50 / p95",
                    "ours p50 / p95"],
                   [[r.get("engine", "pocketsphinx"),
                     _PTT_SCENARIOS.get(r["scenario"], r["scenario"]), str(r["runs"]),
                     str(r["misses"]), *(_pair(r[k]["p50"], r[k]["p95"])
                                         for k in ("total_ms", "server_commit_ms", "ours_ms"))]
                    for r in data["results"]], left=2)
    return f"""The app's own push-to-talk composition with the real `DictationWorker` on the virtual
microphone and the real local server. X11: Xvfb + openbox, a Tk field in another process,
the chord pressed and released with `xdotool`, paste through xclip + XTEST. Wayland: headless
sway, a Qt Wayland-native field, the chord held by `wtype` and reported by sway's IPC, paste
through wl-copy + wtype. "Loaded": stress-ng on every CPU (bench/ptt_latency.py). Each
scenario with pocketsphinx and with Whisper tiny.en (the default whisper server: two decode
lanes, greedy finals); the speech is espeak-ng sentences of 7-9 words.

{table}

* **key release -> text in field**: the chord's release (`xdotool keyup`; on sway, its
  release binding) -> the dictated text present in the target field.
* **server commit**: commit sent -> `committed_transcript` received (the engine's share).
* **ours**: the difference, per run: hotkey delivery, the commit round trip outside the
  engine, and the insertion (clipboard snapshot, one-paste offer, paste keys, the target
  fetching it, clipboard restore).
"""


def render_ptt_undo(data: dict[str, Any]) -> str:
    rows = [[key, str(data.get(key, 0))] for key in (
        "sequences", "dictations inserted", "dictations not inserted", "undos that removed",
        "undos refused", "user characters deleted", "dictated characters left behind")]
    return f"""Random sequences (seed {data['seed']}) of dictations, typing, clicks that move the
caret, focus changes between two Tk fields, a menu holding the keyboard, and undo
(Ctrl+Alt+Z) on real X11, through the app's push-to-talk composition; the dictations come
from a scripted worker (bench/ptt_undo.py).

{_table(["", "count"], rows, left=1)}

* **user characters deleted**: characters the user typed that are gone (must be 0).
* **dictated characters left behind**: letters of a dictation that an undo reporting
  "removed" did not remove (must be 0).
* **undos refused**: undo said why it removed nothing (typed, clicked or switched windows
  since, another window, nothing to undo).
"""


def render_export(data: dict[str, Any]) -> str:
    exports, history = data["exports"], data["history"]
    goal_ms = data["export_goal_s"] * 1000
    labels = {"txt": "TXT", "txt_timestamps": "TXT with timestamps", "srt": "SRT",
              "vtt": "WebVTT", "json": "JSON"}

    def timed(e: dict[str, Any], key: str) -> str:
        file = f", file {e[key + '_file_s'] * 1000:.0f}" if key + "_file_s" in e else ""
        return (f"{e[key + '_s'] * 1000:.0f} ms (CPU {e[key + '_cpu_s'] * 1000:.0f}{file}), "
                f"{e[key + '_bytes'] / 1e6:.2f} MB")

    first = exports[0]
    rows = [[label, *(timed(e, key) for e in exports),
             f"<= {goal_ms:.0f} ms at {first['audio_hours']} h"
             if key in ("srt", "vtt", "json") else "-"]
            for key, label in labels.items() if key + "_s" in first]
    table = _table(["format", *(f"{e['audio_hours']} h ({e['words']} words, {e['segments']} "
                                "segments)" for e in exports), "goal"], rows, left=1)
    h_rows = [[f"{h['sessions']} sessions",
               _pair(h["add_segment_p50_ms"], h["add_segment_p99_ms"], ".2f"),
               f"{h['fill_s']:.1f} s", f"{h['panel_load_s'] * 1000:.0f} ms",
               f"{h['panel_refresh_s'] * 1000:.1f} ms",
               f"{h['panel_next_page_s'] * 1000:.1f} ms",
               f"{h['search_s'] * 1000:.1f} ms ({h['search_hits']})",
               f"{h['search_rare_s'] * 1000:.1f} ms ({h['search_rare_hits']})",
               f"{h['search_none_s'] * 1000:.1f} ms", f"{h['database_bytes'] / 1e6:.1f} MB"]
              for h in history]
    h_table = _table(["history", "add_segment p50 / p99", "fill", "panel first load",
                      "panel refresh", "next page", "search: common word",
                      "search: rare", "search: no match", "database"], h_rows, left=1)
    return f"""Synthetic sessions with word timestamps (a commit every ~9 s, spacing items
between words) rendered in each format; history databases filled with sessions of 5
segments through the recorder and listed and searched through the history panel
(bench/export_bench.py). Goals: SRT, WebVTT and JSON of a 3.4-hour session in <= {goal_ms:.0f}
ms; the history panel and its search as fast at 10,000 sessions as at 1,000.

{table}

{h_table}

* **render time**: best of 3 renders of the whole session to one string (wall; in brackets
  the thread's CPU time, the work itself, and **file**: streaming it to a file with
  `export.write`); then the output size in MB (10^6 bytes).
* **add_segment**: one durable segment write (SQLite commit, one fsync; depends on the
  temp directory's file system); **fill**: writing every session.
* **panel first load / refresh**: building the history panel and listing its first page of
  {history[0]['search_page']} rows / refreshing it (best of 3); **next page**: the rows the view
  fetches when the list is scrolled to its end.
* **search**: the panel's search (its first page, best of 3): a word in 30 % of the
  segments, a rarer phrase ("session 7", in brackets the rows shown) and a word said nowhere.
"""


def render_bundle(data: dict[str, Any]) -> str:
    build = data.get("build", {})
    built = (f"built from commit {str(build['commit'])[:10]} in {build['build_seconds']} s"
             if "commit" in build else "build info missing")
    table = _table(
        ["size", "files", "as .tar.gz", "cold start to window median / max", "first launch"],
        [[f"{data['size_mb']} MB", str(data["files"]), f"{data['tar_gz_mb']} MB",
          f"{_pair(data.get('cold_start_median_s'), data.get('cold_start_max_s'), '.2f', ' s')}"
          f" ({data.get('cold_start_runs', 0)} runs)",
          _num(data.get("first_start_s"), ".2f", " s")]])
    return f"""The PyInstaller one-folder bundle `{data['bundle']}` ({built}; rebuilt first when
its sources changed), launched on {data['display']} (bench/bundle_bench.py).

{table}

* **size**: every file of the bundle folder (MB = 10^6 bytes); **as .tar.gz**: the folder as
  a gzip level-6 tar, what a release archive would weigh.
* **cold start to window**: the bundle's binary spawned with `--print-ready` -> its ready line
  once the main window is shown, each launch in a fresh HOME, after one warm-up launch;
  **first launch**: that warm-up launch (right after a build it also pays for a cold page
  cache).
"""


def render_abuse(data: dict[str, Any]) -> str:
    r = data["results"]
    return f"""The real server with RLIMIT_NOFILE {r['nofile']} (soft and hard): a real session
alone, then the same session while {r['connections']} idle TCP connections (no secret, no
byte sent) are held open, then a slowloris upgrade request sent one byte per 100 ms
(bench/server_abuse.py).

{server_abuse.markdown(r)}

* **cut at once**: flood connections the server had closed by the end of the session; the
  rest are within the pending-connection caps and closed by the handshake timeout
  ({r['handshake_timeout_s']:g} s).
* **server files**: file descriptors the server process held (/proc/PID/fd) idle and while
  the flood was held.
* **log lines**: stderr lines the server wrote from the start of the flood to its end.
* **session start / commit -> final**: connect -> `session_started`, and commit ->
  `committed_transcript`, of the real session.
"""


def render_faults(data: dict[str, Any]) -> str:
    return f"""Every client path driven as a user drives it through faults injected mid-sentence,
{data['scripts']} scripts of 30 distinct words each (espeak-ng, 27 s with pauses), against the
real server app with pocketsphinx held to the scripts' vocabulary (so every word is
recognised and can be counted) that also commits on its own at pauses after 6 s, as the
cloud does after 36-90 s (rule C5) (bench/faults.py; the rig is tests/faults).

{faults.markdown(data['results'])}

* **scenario**: *N cuts*: a proxy resets both sides of the connection N times, each inside a
  sentence; *downlink +x s*: everything the server says reaches the client x s late (its
  commits arrive after more audio was sent); *server SIGKILL*: the server is killed inside a
  sentence and restarted on the same port (model load included).
* **lost / duplicated**: spoken words missing from what the user got, and words in it more
  than once; **misheard**: words not in the script (recognition, or a replayed word
  fragment). Targets: 0 for all three.
* **what the user got**: `transcribe`'s stdout; `listen`'s closing transcript; the window's
  committed segments; for push-to-talk (the chord held over a Tk field on X11 for the whole
  script), the field's text.
* **runs failed**: runs whose command exited non-zero or whose window showed an error.

Hostile frames (seeded: truncated and bit-flipped JSON, wrong types, unknown and huge
fields, audio that is not base64 or not whole samples, binary frames, out-of-order
messages), to the real server process and from a server to the real client
(tests/faults/fuzzing.py):

{faults.fuzz_markdown(data.get('fuzz') or {})}

* **memory**: the server's resident memory (with its engine workers) and the client's
  Python heap (tracemalloc), from after the first tenth of the frames to the end.
"""


def render_entities(data: dict[str, Any]) -> str:
    return f"""`entity_messages` (every detector, overlap resolution, redaction and the message
objects: what a session adds after each commit with entity_detection=all and
entity_redaction=all), timed per segment in one process (bench/entity_bench.py).

{entity_bench.markdown(data["results"])}

* **corpus**: the transcripts of tests/server/test_entities_corpus.py; **dictation**: 10-40
  everyday words, a third with one entity; **spoken digits**: mostly number words;
  **long**: 225 words (90 s of speech, the auto-commit interval); **worst case**: 225
  spoken digits joined by "dot".
* **p50 / p99 / max**: wall time per segment; the target is p99 <= 5 ms.
"""


def render_shaping(data: dict[str, Any]) -> str:
    return f"""Text shaping with every rule on (spoken commands, filler removal, numbers as
digits, a dictionary of 100 whole-word and 5 regex entries) on segments with word timings,
timed per segment in one process (bench/shaping_bench.py).

{shaping_bench.markdown(data["results"])}

* **shape()**: one segment alone, what an inserter calls; **document**:
  `ShapedDocument.apply()`, what the session does per commit (shape, lay the segment out
  after the 1,000 before it, update any that an edit reached).
* **dictation**: 10-40 everyday words, a quarter with a paused command, some fillers and
  spoken numbers; **spoken numbers**: mostly number words; **long**: 225 words (90 s of
  speech, the auto-commit interval); **worst case**: 225 words, every other one a command
  word or a filler, pauses everywhere.
* **CPU**: the calling thread's CPU time (the work itself); **wall**: what the caller waited,
  including preemption by other work on the machine. The target is p99 <= 1 ms.
"""


AREAS: tuple[Area, ...] = (
    Area("server", "Local server under concurrent sessions", "server_latency", 1800,
         render_server, ("--unlimited",)),
    Area("abuse", "Local server under local abuse", "server_abuse", 300, render_abuse),
    Area("faults", "Client paths under faults", "faults", 2400, render_faults, ("--scripts", "1")),
    Area("entities", "Entity detection per segment", "entity_bench", 300, render_entities),
    Area("engines", "Engines compared on human speech", "engine_compare", 3600,
         render_engines),
    Area("vad", "VAD segmentation", "vad_quality", 300, render_vad),
    Area("shaping", "Text shaping per segment", "shaping_bench", 300, render_shaping),
    Area("client", "Client send path", "client_latency", 300, render_client),
    Area("file", "File transcription end to end", "file_transcription", 400, render_file),
    Area("capture", "Microphone capture", "capture_latency", 300, render_capture),
    Area("gui", "Desktop app", "gui_latency", 400, render_gui),
    Area("appcpu", "Desktop app all day: idle and streaming CPU", "app_cpu", 600,
         render_app_cpu),
    Area("ptt", "Push-to-talk", "ptt_latency", 2400, render_ptt),
    Area("ptt_undo", "Push-to-talk undo safety", "ptt_undo", 1500, render_ptt_undo),
    Area("export", "Export and history", "export_bench", 900, render_export),
    Area("bundle", "Bundle", "bundle_bench", 1200, render_bundle),
)
