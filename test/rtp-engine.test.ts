// The RTP engine (one worker thread sending every call's RTP) seen from the main thread and from a
// far end on loopback: speech written here arrives in order and paced, caller audio comes back,
// a barge-in stops playback, DTMF goes out, and the first-frame time is on this thread's clock.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulawDecodeSample, mulawEncodeSample } from '../media-node/src/audio/index.js';
import { RtpEngine, type EngineSession } from '../media-node/src/rtp/engine/rtp-engine.js';
import {
  PCMU,
  parseRtp,
  parseTelephoneEvent,
  serializeRtp,
  type RtpPacket,
} from '../media-node/src/rtp/index.js';
import { waitFor } from './harness/wait.js';

const portRange = { min: 33000, max: 34998 };
const cleanups: (() => void)[] = [];
let engine: RtpEngine;

interface FarEnd {
  socket: Socket;
  port: number;
  packets: { p: RtpPacket; at: number }[];
}

async function farEnd(): Promise<FarEnd> {
  const socket = createSocket('udp4');
  const packets: { p: RtpPacket; at: number }[] = [];
  socket.on('message', (msg) => {
    const r = parseRtp(Uint8Array.from(msg));
    if (r.ok) packets.push({ p: r.packet, at: performance.now() });
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => socket.close());
  return { socket, port: socket.address().port, packets };
}

async function open(far: FarEnd): Promise<EngineSession> {
  const s = await engine.open({
    codec: PCMU,
    telephoneEventPayloadType: 101,
    portRange,
    remote: { address: '127.0.0.1', port: far.port },
  });
  cleanups.push(() => s.close());
  return s;
}

const frame = (n: number): Int16Array =>
  Int16Array.from({ length: 160 }, (_, i) => Math.round((500 + n * 20) * Math.sin(i / 3)));
const mulaw = (f: Int16Array): Uint8Array => Uint8Array.from(f, (s) => mulawEncodeSample(s));

void describe('RtpEngine', () => {
  before(async () => {
    engine = await RtpEngine.start();
  });
  after(async () => {
    for (const c of cleanups.splice(0)) c();
    await engine.close();
  });

  void it('sends more speech than its ring holds, in order, paced, numbered without gaps', async () => {
    const far = await farEnd();
    const s = await open(far);
    let firstSentAt: number | undefined;
    s.onFirstFrameSent((at) => (firstSentAt = at));
    const frames = 140; // more than the 128-frame ring: the rest waits on this thread
    for (let n = 0; n < frames; n++) s.write(frame(n));
    assert.equal(s.queuedFrames, frames);
    await waitFor(() => far.packets.length >= frames, { timeoutMs: 6000 });
    await sleep(100);
    assert.equal(far.packets.length, frames, 'nothing sent twice, nothing invented');
    const got = far.packets.map(({ p }) => p);
    assert.equal(got[0]?.marker, true);
    for (let i = 1; i < got.length; i++) {
      assert.equal(got[i]!.sequenceNumber, (got[i - 1]!.sequenceNumber + 1) & 0xffff);
      assert.equal((got[i]!.timestamp - got[i - 1]!.timestamp) >>> 0, 160);
      assert.equal(got[i]!.marker, false);
      assert.deepEqual(got[i]!.payload, mulaw(frame(i)), `payload of packet ${i}`);
    }
    const span = far.packets.at(-1)!.at - far.packets[0]!.at;
    assert.ok(Math.abs(span - (frames - 1) * 20) < 60, `139 intervals took ${span.toFixed(1)} ms`);
    assert.ok(firstSentAt !== undefined, 'first-frame callback fired');
    const arrival = far.packets[0]!.at;
    assert.ok(
      arrival - firstSentAt >= -0.5 && arrival - firstSentAt < 10,
      `first frame sent at ${firstSentAt.toFixed(2)}, arrived at ${arrival.toFixed(2)} (same clock)`,
    );
    await waitFor(() => s.stats().packetsSent === frames, { timeoutMs: 1000 });
    assert.equal(s.queuedFrames, 0);
    assert.ok(engine.deviationStats().samples >= frames - 1);
  });

  void it('stops playback at a barge-in and drops the cleared reply’s first-frame callback', async () => {
    const far = await farEnd();
    const s = await open(far);
    for (let n = 0; n < 100; n++) s.write(frame(n));
    await waitFor(() => far.packets.length >= 5);
    let clearedFired = false;
    s.clear();
    s.onFirstFrameSent(() => (clearedFired = true));
    s.clear(); // a second barge-in before the reply's first frame was written
    const atClear = far.packets.length;
    await sleep(200);
    assert.ok(
      far.packets.length - atClear <= 1,
      `${far.packets.length - atClear} packets after clear`,
    );
    assert.equal(s.queuedFrames, 0);
    let sentAt: number | undefined;
    s.onFirstFrameSent((at) => (sentAt = at));
    s.write(frame(7));
    await waitFor(() => sentAt !== undefined, { timeoutMs: 1000 });
    assert.equal(clearedFired, false);
    const last = far.packets.at(-1)!.p;
    assert.equal(last.marker, true, 'speech after a barge-in starts a new talkspurt');
    assert.deepEqual(last.payload, mulaw(frame(7)));
  });

  void it('delivers the caller’s audio here in order and latches onto its source', async () => {
    const far = await farEnd();
    const s = await open(far);
    const heard: Int16Array[] = [];
    s.on('audio', (f) => heard.push(f));
    const latched = new Promise((resolve) => s.once('latched', resolve));
    for (let n = 0; n < 25; n++) {
      const packet = serializeRtp({
        payloadType: 0,
        sequenceNumber: 1000 + n,
        timestamp: 160 * n,
        ssrc: 42,
        marker: n === 0,
        payload: mulaw(frame(n)),
      });
      far.socket.send(packet, s.localPort, '127.0.0.1');
      await sleep(20);
    }
    assert.deepEqual(await latched, { address: '127.0.0.1', port: far.port });
    await waitFor(() => heard.length >= 20, { timeoutMs: 2000 });
    for (let n = 0; n < 20; n++) {
      const expected = Int16Array.from(mulaw(frame(n)), (b) => mulawDecodeSample(b));
      assert.deepEqual(heard[n], expected, `caller frame ${n}`);
    }
    assert.equal(s.stats().packetsReceived, 25);
  });

  void it('sends DTMF as RFC 4733 events and refuses what is not a digit', async () => {
    const far = await farEnd();
    const s = await open(far);
    assert.equal(s.sendDtmf('x'), false);
    assert.ok(s.sendDtmf('5', 60));
    await waitFor(() => far.packets.some(({ p }) => p.payloadType === 101 && p.payload[1]! & 0x80));
    const event = far.packets.find(({ p }) => p.payloadType === 101)!;
    assert.equal(parseTelephoneEvent(event.p.payload)?.event, 5);
    await waitFor(() => s.stats().dtmfSent === 1);
  });

  void it('closing a session frees its ports for the next call', async () => {
    const far = await farEnd();
    const s = await open(far);
    const port = s.localPort;
    s.close();
    await sleep(50);
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(port, '127.0.0.1', resolve);
    });
    probe.close();
  });
});
