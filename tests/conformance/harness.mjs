// Shared plumbing for the conformance scripts: arguments, audio loading, JSON-lines output,
// pacing, timeouts and exit codes. The scripts themselves only wire one official client to it.
//
// Output contract (read by tests/conformance/test_*.py): stdout carries ONLY JSON lines,
//   {"source": "client",  "event": "<event name>", "t_ms": 12, "data": <payload or null>}
//   {"source": "harness", "event": "<what the script did>", "t_ms": 10, "data": {...}}
// "client" lines are exactly what the official client emitted (one per received event, in
// order). The official clients log to console.* themselves (e.g. @elevenlabs/client prints
// "WebSocket closed: ..." with console.log), so console.* is routed to stderr.
//
// Exit codes: 0 = flow complete (or, with --expect close, the socket closed), 1 = the flow
// failed (message on stderr), 2 = bad arguments, 3 = timeout.

import { readFileSync } from "node:fs";
import { format, parseArgs } from "node:util";

for (const level of ["log", "info", "warn", "error", "debug"]) {
  console[level] = (...args) => process.stderr.write(`[console.${level}] ${format(...args)}\n`);
}

const T0 = Date.now();

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 3;

const COMMON_OPTIONS = {
  "base-url": { type: "string" }, // http://127.0.0.1:PORT (the server's base_url)
  token: { type: "string" }, // sent as ?token=
  "api-key": { type: "string" }, // the server secret: xi-api-key, or used to mint a token
  mint: { type: "boolean", default: false }, // mint a single-use token with --api-key first
  audio: { type: "string" }, // WAV (16-bit mono) or raw s16le PCM at 16 kHz
  "model-id": { type: "string", default: "scribe_v2_realtime" },
  "chunk-ms": { type: "string", default: "100" },
  speed: { type: "string", default: "4" }, // multiple of real time; 0 = no pacing
  "wait-partial-s": { type: "string", default: "5" },
  "timeout-s": { type: "string", default: "30" },
  expect: { type: "string", default: "transcript" }, // transcript | close
  "connect-json": { type: "string", default: "{}" }, // extra connect() options, merged last
  "previous-text": { type: "string" }, // sent with the first audio chunk only (§5.2)
};

/** Parse argv (with SCRIBE_* environment fallbacks) into a plain options object. */
export function parseOptions(extraOptions = {}) {
  let values;
  try {
    ({ values } = parseArgs({ options: { ...COMMON_OPTIONS, ...extraOptions }, strict: true }));
  } catch (err) {
    usage(err.message);
  }
  const env = process.env;
  const opts = {
    ...values,
    baseUrl: values["base-url"] ?? env.SCRIBE_BASE_URL,
    token: values.token ?? env.SCRIBE_TOKEN,
    apiKey: values["api-key"] ?? env.SCRIBE_API_KEY,
    audio: values.audio ?? env.SCRIBE_AUDIO,
    modelId: values["model-id"],
    chunkMs: Number(values["chunk-ms"]),
    speed: Number(values.speed),
    waitPartialS: Number(values["wait-partial-s"]),
    timeoutS: Number(values["timeout-s"]),
    previousText: values["previous-text"],
    connectExtra: parseJsonOption(values["connect-json"]),
  };
  if (!opts.baseUrl) usage("--base-url (or SCRIBE_BASE_URL) is required");
  if (!["transcript", "close"].includes(opts.expect)) usage("--expect is transcript or close");
  if (opts.expect === "transcript" && !opts.audio) usage("--audio (or SCRIBE_AUDIO) is required");
  for (const k of ["chunkMs", "speed", "waitPartialS", "timeoutS"]) {
    if (!Number.isFinite(opts[k]) || opts[k] < 0) usage(`bad numeric option ${k}`);
  }
  return opts;
}

function parseJsonOption(text) {
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  return usage(`--connect-json must be a JSON object, got ${text}`);
}

function usage(message) {
  process.stderr.write(`usage error: ${message}\n`);
  process.exit(EXIT_USAGE);
}

/** ws://host:port from an http(s) base URL, without a trailing slash (§15.3). */
export function wsBaseUri(baseUrl) {
  return baseUrl.replace(/\/+$/, "").replace(/^http(s?):\/\//i, (_m, s) => `ws${s}://`);
}

/**
 * 16 kHz mono s16le samples of a WAV (RIFF, PCM 16-bit mono) or a raw .pcm/.raw file.
 * Anything else is an error: the scripts declare pcm_16000 to the server.
 */
export function loadPcm16k(path) {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF") return buf; // raw s16le
  if (buf.toString("ascii", 8, 12) !== "WAVE") throw new Error(`${path}: not a WAVE file`);
  let off = 12;
  let fmt = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString("ascii", off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === "fmt ") {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!fmt) throw new Error(`${path}: data chunk before fmt chunk`);
      // 0xFFFE (WAVE_FORMAT_EXTENSIBLE) is what sox writes for some layouts; still PCM here.
      const pcmTag = fmt.format === 1 || fmt.format === 0xfffe;
      if (!pcmTag || fmt.channels !== 1 || fmt.bits !== 16 || fmt.rate !== 16000) {
        throw new Error(`${path}: need 16 kHz mono 16-bit PCM, got ${JSON.stringify(fmt)}`);
      }
      return buf.subarray(body, Math.min(body + size, buf.length));
    }
    off = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Split PCM into chunks of `chunkMs` (the last one may be shorter). */
export function chunksOf(pcm, chunkMs, rateHz = 16000) {
  const step = Math.max(2, Math.round((rateHz * chunkMs) / 1000) * 2);
  const out = [];
  for (let i = 0; i < pcm.length; i += step) out.push(pcm.subarray(i, i + step));
  return out;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds to wait after sending `chunkMs` of audio at `speed` x real time. */
export function paceMs(chunkMs, speed) {
  return speed > 0 ? chunkMs / speed : 0;
}

function jsonable(data) {
  if (data === undefined) return null;
  if (data instanceof Error) return { message_type: "error", error: data.message };
  if (typeof data === "object" && data !== null && "type" in data && "target" in data) {
    // A DOM-style Event/CloseEvent: keep the fields that matter, drop the socket.
    const out = { type: data.type };
    for (const k of ["code", "reason", "wasClean", "message"]) if (k in data) out[k] = data[k];
    return out;
  }
  return data;
}

/** Write one JSON line to stdout. */
export function emit(source, event, data) {
  const line = JSON.stringify({ source, event, t_ms: Date.now() - T0, data: jsonable(data) });
  process.stdout.write(`${line}\n`);
}

/** Flush stdout, report `message` on stderr (if any) and exit with `code`. */
export function finish(code, message) {
  if (message) process.stderr.write(`${message}\n`);
  process.stdout.write("", () => process.exit(code));
}

/** Exit with EXIT_TIMEOUT after `seconds`, describing what was still awaited. */
export function armTimeout(seconds, describe) {
  return setTimeout(
    () => finish(EXIT_TIMEOUT, `timeout after ${seconds}s: ${describe()}`),
    seconds * 1000,
  );
}

/** POST {base_url}/v1/single-use-token/realtime_scribe with xi-api-key (§8). */
export async function mintToken(baseUrl, apiKey) {
  const url = `${baseUrl.replace(/\/+$/, "")}/v1/single-use-token/realtime_scribe`;
  const res = await fetch(url, { method: "POST", headers: { "xi-api-key": apiKey } });
  const body = await res.text();
  if (!res.ok) throw new Error(`token mint: HTTP ${res.status}: ${body}`);
  const token = JSON.parse(body).token;
  if (typeof token !== "string" || !token) throw new Error(`token mint: no token in ${body}`);
  return token;
}

/**
 * The state every script tracks: which protocol milestones were seen, so the script knows
 * when to commit, when to close and how to exit.
 */
export class Flow {
  constructor(opts) {
    this.opts = opts;
    this.seen = new Set();
    this.partialWaiters = [];
    this.closeRequested = false;
  }

  /** Record a client event (already printed). */
  saw(event) {
    this.seen.add(event);
    if (event === "partial_transcript") {
      for (const resolve of this.partialWaiters.splice(0)) resolve(true);
    }
  }

  /**
   * Resolve once a partial_transcript has arrived, or after --wait-partial-s. This models a
   * user who keeps the key held while the words appear; audio is sent faster than real time,
   * so without it the commit would race the server's first partial. A server that never sends
   * a partial still gets the commit (and the test then fails on the missing partial).
   */
  waitForPartial() {
    if (this.seen.has("partial_transcript") || this.opts.waitPartialS === 0) {
      return Promise.resolve(this.seen.has("partial_transcript"));
    }
    return new Promise((resolve) => {
      this.partialWaiters.push(resolve);
      setTimeout(() => resolve(false), this.opts.waitPartialS * 1000);
    });
  }

  pending() {
    if (this.opts.expect === "close") return "waiting for the server to close the socket";
    const need = ["session_started", "committed_transcript", "committed_transcript_with_timestamps"];
    const missing = need.filter((e) => !this.seen.has(e));
    return missing.length ? `never received: ${missing.join(", ")}` : "waiting for close";
  }

  /**
   * Decide the exit once the socket has closed: `code` is the close code the client saw and
   * `cleanCodes` the codes that mean "the close we asked for".
   */
  closed(code, wasClean, cleanCodes) {
    if (this.opts.expect === "close") return finish(EXIT_OK);
    if (!this.seen.has("committed_transcript_with_timestamps")) {
      return finish(EXIT_FAIL, `socket closed (code ${code}) before the flow completed: ${this.pending()}`);
    }
    if (!this.closeRequested) {
      return finish(EXIT_FAIL, `server closed the socket (code ${code}) before the client closed it`);
    }
    if (!wasClean || !cleanCodes.includes(code)) {
      return finish(EXIT_FAIL, `unclean close: code ${code}, wasClean ${wasClean}`);
    }
    return finish(EXIT_OK);
  }
}
