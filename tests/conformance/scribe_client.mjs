// @elevenlabs/client (the browser-first Scribe client) against a Scribe-compatible server.
//
// Run: node --experimental-websocket scribe_client.mjs --base-url http://127.0.0.1:PORT
//        (--token T | --mint --api-key SECRET) [--mode manual|microphone] --audio speech.wav
//
// Node 20 has no global WebSocket without --experimental-websocket (§15.3); the flag gives
// undici's WebSocket, which is what the client uses in a browser-like runtime.
//
// --mode manual (default): Scribe.connect({audioFormat: pcm_16000, sampleRate: 16000, ...}),
//   then on session_started send the speech in --chunk-ms chunks at --speed x real time,
//   commit() once a partial has been seen, and close() after committed_transcript_with_timestamps.
// --mode microphone: Scribe.connect({microphone: {...}}) with a fake microphone registered via
//   setScribeMicrophoneSetup (§15.5). The client then omits audio_format from the URL and sends
//   whatever the "microphone" delivers: 4096-sample (256 ms) chunks of the speech, then silence,
//   as a real microphone keeps delivering frames. The script commits after the speech.
// --expect close: for the error paths (bad --model-id, wrong --token); exits 0 on any close.

import { AudioFormat, CommitStrategy, RealtimeEvents, Scribe } from "@elevenlabs/client";
import { setScribeMicrophoneSetup } from "@elevenlabs/client/internal";
import {
  EXIT_FAIL,
  Flow,
  armTimeout,
  chunksOf,
  emit,
  finish,
  loadPcm16k,
  mintToken,
  paceMs,
  parseOptions,
  sleep,
  wsBaseUri,
} from "./harness.mjs";

const MIC_CHUNK_SAMPLES = 4096; // the web worklet's frame (§12.6)

const opts = parseOptions({ mode: { type: "string", default: "manual" } });
if (!["manual", "microphone"].includes(opts.mode)) finish(2, "--mode is manual or microphone");
if (typeof WebSocket === "undefined") {
  finish(2, "no global WebSocket: run with node --experimental-websocket (Node 20)");
}

const flow = new Flow(opts);
armTimeout(opts.timeoutS, () => flow.pending());

let token = opts.token;
if (opts.mint) {
  if (!opts.apiKey) finish(2, "--mint needs --api-key");
  try {
    token = await mintToken(opts.baseUrl, opts.apiKey);
  } catch (err) {
    finish(EXIT_FAIL, err.message);
  }
  emit("harness", "token_minted", { prefix: token.slice(0, 6) });
} else if (!token) {
  finish(2, "need --token or --mint --api-key");
}

const pcm = opts.audio ? loadPcm16k(opts.audio) : Buffer.alloc(16000 * 2); // 1 s of silence

let conn = null;

async function commitAfterPartial(extra) {
  const gotPartial = await flow.waitForPartial();
  if (flow.seen.has("close")) return;
  try {
    conn.commit();
    emit("harness", "commit_sent", { partial_seen_before_commit: gotPartial, ...extra });
  } catch (err) {
    emit("harness", "send_failed", { error: err.message });
  }
}

async function feedManual() {
  const chunks = chunksOf(pcm, opts.chunkMs);
  try {
    for (const [i, chunk] of chunks.entries()) {
      if (flow.seen.has("close")) return;
      const previousText = i === 0 ? opts.previousText : undefined; // first chunk only (C8)
      conn.send({ audioBase64: chunk.toString("base64"), previousText });
      await sleep(paceMs(opts.chunkMs, opts.speed));
    }
  } catch (err) {
    // The socket closed under us; the close handler decides the exit.
    emit("harness", "send_failed", { error: err.message });
    return;
  }
  emit("harness", "audio_sent", { chunks: chunks.length, bytes: pcm.length, seconds: pcm.length / 32000 });
  await commitAfterPartial({});
}

function fakeMicrophone(config, onAudioData) {
  emit("harness", "microphone_setup", config);
  const frame = MIC_CHUNK_SAMPLES * 2;
  const padded = Buffer.alloc(Math.ceil(pcm.length / frame) * frame); // zero-padded tail
  pcm.copy(padded);
  const silence = Buffer.alloc(frame).toString("base64");
  let next = 0;
  let speechDone = false;
  const intervalMs = Math.max(1, paceMs((MIC_CHUNK_SAMPLES / 16000) * 1000, opts.speed));
  const timer = setInterval(() => {
    if (next < padded.length) {
      onAudioData(padded.subarray(next, next + frame).toString("base64"));
      next += frame;
      return;
    }
    onAudioData(silence);
    if (!speechDone) {
      speechDone = true;
      emit("harness", "audio_sent", { chunks: padded.length / frame, bytes: padded.length, seconds: padded.length / 32000 });
      void commitAfterPartial({});
    }
  }, intervalMs);
  const track = { enabled: true, stop() {} };
  return Promise.resolve({ mediaStreamTrack: track, cleanup: () => clearInterval(timer) });
}

const common = {
  token,
  modelId: opts.modelId,
  baseUri: wsBaseUri(opts.baseUrl),
  commitStrategy: CommitStrategy.MANUAL,
  includeTimestamps: true,
  ...opts.connectExtra,
};
if (opts.mode === "microphone") {
  setScribeMicrophoneSetup(fakeMicrophone);
  conn = Scribe.connect({ ...common, microphone: { echoCancellation: true, noiseSuppression: true } });
} else {
  conn = Scribe.connect({ ...common, audioFormat: AudioFormat.PCM_16000, sampleRate: 16000 });
}
emit("harness", "connecting", { mode: opts.mode, base_uri: common.baseUri, model_id: opts.modelId });

for (const event of Object.values(RealtimeEvents)) {
  conn.on(event, (data) => {
    emit("client", event, data);
    flow.saw(event);
    if (event === RealtimeEvents.SESSION_STARTED && opts.mode === "manual") {
      void feedManual();
    } else if (event === RealtimeEvents.COMMITTED_TRANSCRIPT_WITH_TIMESTAMPS && !flow.closeRequested) {
      flow.closeRequested = true;
      emit("harness", "close_sent", {});
      conn.close(); // close(1000, "User ended session")
    } else if (event === RealtimeEvents.CLOSE) {
      flow.closed(data?.code, data?.wasClean, [1000]);
    }
  });
}
