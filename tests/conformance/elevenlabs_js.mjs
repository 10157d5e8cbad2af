// @elevenlabs/elevenlabs-js (the Node SDK; uses the `ws` package) against a Scribe-compatible
// server.
//
// Run: node elevenlabs_js.mjs --base-url http://127.0.0.1:PORT --api-key SECRET
//        [--mint | --token T] --audio speech.wav
//
// Auth: by default the SDK sends `xi-api-key: SECRET` on the upgrade (§13). With --mint the
// script first mints a single-use token through the SDK itself
// (client.tokens.singleUse.create("realtime_scribe") -> POST /v1/single-use-token/realtime_scribe)
// and connects with {token}; the SDK then sends ?token= and no xi-api-key (§3).
// Flow: on session_started send the speech in --chunk-ms chunks at --speed x real time,
// commit() once a partial has been seen, close() after committed_transcript_with_timestamps.
// The SDK's close() sends no close code, so the server sees 1005 and echoes that (§7); the SDK's
// own "close" event has no payload, so the script also prints the raw socket's
// close code as a harness "ws_close" line.
// --expect close: for the error paths (bad --model-id, wrong --api-key); exits 0 on any close.

import { AudioFormat, CommitStrategy, ElevenLabsClient, RealtimeEvents } from "@elevenlabs/elevenlabs-js";
import {
  EXIT_FAIL,
  Flow,
  armTimeout,
  chunksOf,
  emit,
  finish,
  loadPcm16k,
  paceMs,
  parseOptions,
  sleep,
} from "./harness.mjs";

const opts = parseOptions();
if (!opts.apiKey && !opts.token) finish(2, "need --api-key (header or --mint) or --token");

const flow = new Flow(opts);
armTimeout(opts.timeoutS, () => flow.pending());

const client = new ElevenLabsClient({ apiKey: opts.apiKey ?? "unused", baseUrl: opts.baseUrl });

let token = opts.token;
if (opts.mint) {
  try {
    const res = await client.tokens.singleUse.create("realtime_scribe");
    token = res.token;
  } catch (err) {
    finish(EXIT_FAIL, `token mint through the SDK failed: ${err.message}`);
  }
  emit("harness", "token_minted", { prefix: String(token).slice(0, 6) });
}

const pcm = opts.audio ? loadPcm16k(opts.audio) : Buffer.alloc(16000 * 2); // 1 s of silence

let conn;
try {
  conn = await client.speechToText.realtime.connect({
    modelId: opts.modelId,
    audioFormat: AudioFormat.PCM_16000,
    sampleRate: 16000,
    commitStrategy: CommitStrategy.MANUAL,
    includeTimestamps: true,
    ...(token !== undefined ? { token } : {}),
    ...opts.connectExtra,
  });
} catch (err) {
  finish(EXIT_FAIL, `connect() threw: ${err.message}`);
}
emit("harness", "connecting", { auth: token !== undefined ? "token" : "xi-api-key", model_id: opts.modelId });

async function feed() {
  const chunks = chunksOf(pcm, opts.chunkMs);
  try {
    for (const [i, chunk] of chunks.entries()) {
      if (flow.seen.has("close")) return;
      const previousText = i === 0 ? opts.previousText : undefined; // first chunk only (C8)
      conn.send({ audioBase64: chunk.toString("base64"), previousText });
      await sleep(paceMs(opts.chunkMs, opts.speed));
    }
    emit("harness", "audio_sent", { chunks: chunks.length, bytes: pcm.length, seconds: pcm.length / 32000 });
    const gotPartial = await flow.waitForPartial();
    if (flow.seen.has("close")) return;
    conn.commit();
    emit("harness", "commit_sent", { partial_seen_before_commit: gotPartial });
  } catch (err) {
    emit("harness", "send_failed", { error: err.message });
  }
}

for (const event of Object.values(RealtimeEvents)) {
  conn.on(event, (data) => {
    emit("client", event, data);
    flow.saw(event);
    if (event === RealtimeEvents.SESSION_STARTED) {
      void feed();
    } else if (event === RealtimeEvents.COMMITTED_TRANSCRIPT_WITH_TIMESTAMPS && !flow.closeRequested) {
      flow.closeRequested = true;
      emit("harness", "close_sent", {});
      conn.close(); // ws.close() without a code
    }
  });
}

// The raw `ws` socket, for the close code the SDK does not pass on. Registered after the SDK's
// own listener, so this line follows the client's "close" line.
conn.websocket.on("close", (code, reason) => {
  emit("harness", "ws_close", { code, reason: reason.toString() });
  // ws reports a close handshake that completed as a normal close event; an abrupt TCP end
  // shows as 1006.
  flow.closed(code, code !== 1006, [1000, 1005]);
});
