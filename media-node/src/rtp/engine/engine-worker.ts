// The RTP engine's worker thread: every call's sockets, its RtpSession and the one pacing
// scheduler live here, on a V8 heap and event loop of their own, so the main thread's garbage
// collections and long tasks (VAD, gRPC, TTS chunks, SIP) never hold a send. Each send tick takes
// at most one frame from the call's outbound ring; each caller frame the jitter buffer releases
// goes into the inbound ring, and one notification per scheduler run wakes the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../../audio/format.js';
import { codecByName, withPayloadType, type Codec } from '../codec.js';
import { DeviationHistogram } from '../deviation-histogram.js';
import { PortRangeExhaustedError } from '../port-pair.js';
import { PacingScheduler, type PacedSource, type Pacer } from '../scheduler.js';
import { RtpSession } from '../session.js';
import type { EngineWorkerData, FromWorker, ToWorker, WireCodec } from './protocol.js';
import { SessionMemory } from './session-memory.js';

const port = parentPort;
if (!port) throw new Error('engine-worker runs as a worker thread');
const data = workerData as EngineWorkerData;
const signal = new Int32Array(data.signal);
let delivered = false;

const scheduler = new PacingScheduler({
  histogram: new DeviationHistogram(data.histogram),
  afterRun: () => {
    if (!delivered) return;
    delivered = false;
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  },
});
// Sessions are paced through their Slot (which feeds them from the ring first), not directly.
const unpaced: Pacer = { add: () => undefined, remove: () => undefined };

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function codecOf(wire: WireCodec): Codec {
  const codec = codecByName(wire.name);
  if (!codec) throw new Error(`unsupported codec ${wire.name}`);
  return withPayloadType(codec, wire.payloadType);
}

class Slot implements PacedSource {
  readonly #frame = new Int16Array(FRAME_SAMPLES);

  constructor(
    readonly id: number,
    readonly session: RtpSession,
    readonly memory: SessionMemory,
  ) {
    session.on('audio', (frame, kind) => {
      memory.writeIn(frame, kind);
      delivered = true;
    });
    session.on('dtmf', (digit) => post({ type: 'dtmf', id, digit }));
    session.on('timeout', () => post({ type: 'timeout', id }));
    session.on('latched', (remote) => post({ type: 'latched', id, remote }));
    session.on('socketError', (e) => post({ type: 'socketError', id, message: e.message }));
  }

  onTick(now: number): void {
    const dropped = this.memory.takeClear();
    if (dropped !== undefined) {
      this.session.clear();
      if (dropped.length > 0) post({ type: 'dropped', id: this.id, marks: dropped });
    }
    if (this.session.queuedFrames === 0) {
      const mark = this.memory.takeOut(this.#frame);
      if (mark !== undefined) {
        if (mark !== 0) {
          this.session.onFirstFrameSent((at) =>
            post({ type: 'sent', id: this.id, mark, atEpochMs: performance.timeOrigin + at }),
          );
        }
        this.session.write(this.#frame);
      }
    }
    this.session.onTick(now);
    this.memory.writeStats(this.session.stats());
  }

  onSkip(periods: number): void {
    this.session.onSkip(periods);
  }
}

const slots = new Map<number, Slot>();

async function open(message: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  const { id, options } = message;
  try {
    const session = await RtpSession.open({
      ...options,
      codec: codecOf(options.codec),
      scheduler: unpaced,
    });
    const slot = new Slot(id, session, new SessionMemory(message.memory));
    slots.set(id, slot);
    scheduler.add(slot);
    post({
      type: 'opened',
      id,
      port: session.localPort,
      address: session.localAddress,
      ssrc: session.ssrc,
    });
  } catch (error) {
    post({
      type: 'openFailed',
      id,
      message: error instanceof Error ? error.message : String(error),
      portsExhausted: error instanceof PortRangeExhaustedError,
    });
  }
}

function handle(message: ToWorker): void {
  if (message.type === 'open') {
    void open(message);
    return;
  }
  const slot = slots.get(message.id);
  if (!slot) return; // closed already
  const { session } = slot;
  switch (message.type) {
    case 'close':
      scheduler.remove(slot);
      slots.delete(message.id);
      session.close();
      return;
    case 'direction':
      session.setDirection(message.direction);
      return;
    case 'remote':
      session.setRemote(message.remote);
      return;
    case 'codec':
      session.setCodec(codecOf(message.codec), message.telephoneEventPayloadType);
      return;
    case 'dtmf':
      session.sendDtmf(message.digit, message.durationMs);
      return;
  }
}

port.on('message', handle);
post({ type: 'ready' });
