// Two RTP sessions (and plain UDP sockets standing in for a far end) on loopback: what a caller or
// a PBX would notice — the audio, the packet numbering, DTMF, hold, latching and media timeouts.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulawDecodeSample, mulawEncodeSample } from '../audio/index.js';
import {
  PCMA,
  PCMU,
  PacingScheduler,
  RtpSession,
  parseRtp,
  parseTelephoneEvent,
  serializeRtp,
  type RtpPacket,
  type RtpSessionOptions,
} from './index.js';
import { waitFor } from '@voicefleet/devtools/processes';

const portRange = { min: 30000, max: 32766 };
const scheduler = new PacingScheduler();
const cleanups: (() => void)[] = [];

async function open(options: Partial<RtpSessionOptions> = {}): Promise<RtpSession> {
  const s = await RtpSession.open({
    scheduler,
    codec: PCMU,
    portRange,
    telephoneEventPayloadType: 101,
    ...options,
  });
  cleanups.push(() => s.close());
  return s;
}

/** A plain UDP socket that records every RTP packet it receives, with arrival time. */
async function farEnd(): Promise<{
  socket: Socket;
  port: number;
  packets: { p: RtpPacket; at: number }[];
}> {
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

/** Frame `n` of a test signal: a sine whose amplitude encodes n. */
function frame(n: number): Int16Array {
  return Int16Array.from({ length: 160 }, (_, i) => Math.round((1000 + n * 50) * Math.sin(i / 3)));
}
const g711 = (f: Int16Array): Int16Array => f.map((s) => mulawDecodeSample(mulawEncodeSample(s)));

function assertContinuous(packets: RtpPacket[]): void {
  for (let i = 1; i < packets.length; i++) {
    const prev = packets[i - 1]!;
    const cur = packets[i]!;
    assert.equal(cur.sequenceNumber, (prev.sequenceNumber + 1) & 0xffff, `sequence at packet ${i}`);
    const step = (cur.timestamp - prev.timestamp) >>> 0;
    assert.ok(
      step % 160 === 0 && step > 0 && step < 8000 * 5,
      `timestamp step ${step} at packet ${i}`,
    );
  }
}

void describe('RtpSession on loopback', () => {
  after(() => {
    for (const c of cleanups.splice(0)) c();
    scheduler.stop();
  });

  void it('delivers the written audio to the far end session unchanged apart from G.711', async () => {
    const a = await open();
    const b = await open({ remote: { address: '127.0.0.1', port: a.localPort } });
    a.setRemote({ address: '127.0.0.1', port: b.localPort });
    const heard: Int16Array[] = [];
    b.on('audio', (f, kind) => kind === 'audio' && heard.push(f.slice()));
    for (let n = 0; n < 25; n++) a.write(frame(n));
    await waitFor(() => heard.length >= 25, { timeoutMs: 5000, message: '25 frames at b' });
    heard.forEach((f, n) => assert.deepEqual(f, g711(frame(n)), `frame ${n}`));
    assert.equal(b.stats().lost, 0);
  });

  void it('numbers packets continuously across a silence gap and a barge-in, with a marker per talkspurt', async () => {
    const peer = await farEnd();
    const a = await open({ remote: { address: '127.0.0.1', port: peer.port } });
    for (let n = 0; n < 5; n++) a.write(frame(n));
    await waitFor(() => peer.packets.length >= 5, { timeoutMs: 3000 });
    await sleep(300); // silence: nothing is sent, the clock runs on
    for (let n = 0; n < 50; n++) a.write(frame(n));
    await waitFor(() => peer.packets.length >= 10, { timeoutMs: 3000 });
    a.clear(); // barge-in
    const sentBeforeClear = peer.packets.length;
    a.write(frame(1));
    a.write(frame(2));
    await waitFor(() => peer.packets.length >= sentBeforeClear + 2, { timeoutMs: 3000 });
    await sleep(100);
    const packets = peer.packets.map((x) => x.p);
    assert.ok(
      packets.length <= sentBeforeClear + 3,
      `stopped within a frame: ${packets.length - sentBeforeClear} after clear`,
    );
    assertContinuous(packets);
    const markers = packets.flatMap((p, i) => (p.marker ? [i] : []));
    assert.deepEqual(markers.slice(0, 2), [0, 5]);
    assert.equal(markers.length, 3, `markers at ${markers.join(',')}`);
    assert.ok(packets[markers[2]!]!.payload.every((b, i) => b === mulawEncodeSample(frame(1)[i]!)));
    // Across the silence the timestamp advanced with the wall clock (as the packets arrived).
    const jump = ((packets[5]!.timestamp - packets[4]!.timestamp) >>> 0) / 8;
    const arrivalGap = peer.packets[5]!.at - peer.packets[4]!.at;
    assert.ok(jump >= 300, `timestamp jumped ${jump} ms over a 300 ms silence`);
    assert.ok(
      Math.abs(jump - arrivalGap) <= 45,
      `timestamp jumped ${jump} ms, packets arrived ${arrivalGap.toFixed(0)} ms apart`,
    );
  });

  void it('sends and receives DTMF both ways as RFC 4733 events', async () => {
    const a = await open();
    const b = await open({ remote: { address: '127.0.0.1', port: a.localPort } });
    a.setRemote({ address: '127.0.0.1', port: b.localPort });
    const atA: string[] = [];
    const atB: string[] = [];
    a.on('dtmf', (d) => atA.push(d));
    b.on('dtmf', (d) => atB.push(d));
    assert.equal(a.sendDtmf('1', 60), true);
    assert.equal(a.sendDtmf('#', 60), true);
    assert.equal(b.sendDtmf('9', 100), true);
    assert.equal(b.sendDtmf('x'), false);
    await waitFor(() => atB.length >= 2 && atA.length >= 1, { timeoutMs: 3000, message: 'digits' });
    await sleep(150);
    assert.deepEqual(atB, ['1', '#']);
    assert.deepEqual(atA, ['9']);
    assert.equal(a.stats().dtmfSent, 2);
  });

  void it('puts DTMF on the wire with one timestamp per event, a marker and three end packets', async () => {
    const peer = await farEnd();
    const a = await open({ remote: { address: '127.0.0.1', port: peer.port } });
    a.sendDtmf('7', 80);
    await waitFor(
      () => peer.packets.filter((x) => parseTelephoneEvent(x.p.payload)?.end).length >= 3,
      { timeoutMs: 3000 },
    );
    const events = peer.packets.map((x) => x.p).filter((p) => p.payloadType === 101);
    assert.deepEqual(
      events.map((p) => [
        p.marker,
        parseTelephoneEvent(p.payload)?.duration,
        parseTelephoneEvent(p.payload)?.end,
      ]),
      [
        [true, 160, false],
        [false, 320, false],
        [false, 480, false],
        [false, 640, true],
        [false, 640, true],
        [false, 640, true],
      ],
    );
    assert.equal(new Set(events.map((p) => p.timestamp)).size, 1);
    for (let i = 1; i < events.length; i++) {
      assert.equal(events[i]!.sequenceNumber, (events[i - 1]!.sequenceNumber + 1) & 0xffff);
    }
  });

  void it('stops sending on hold and resumes with the timestamp that wall-clock time implies', async () => {
    const peer = await farEnd();
    const a = await open({ remote: { address: '127.0.0.1', port: peer.port } });
    for (let n = 0; n < 200; n++) a.write(frame(n));
    await waitFor(() => peer.packets.length >= 5, { timeoutMs: 3000 });
    a.setDirection('inactive');
    await sleep(40); // let a packet in flight arrive
    const beforeHold = peer.packets.length;
    await sleep(260);
    assert.equal(peer.packets.length, beforeHold, 'nothing sent while on hold');
    a.setDirection('sendrecv');
    await waitFor(() => peer.packets.length >= beforeHold + 5, { timeoutMs: 3000 });
    const packets = peer.packets.map((x) => x.p);
    assertContinuous(packets);
    const last = packets[beforeHold - 1]!;
    const first = packets[beforeHold]!;
    assert.equal(first.marker, true);
    const jumpMs = ((first.timestamp - last.timestamp) >>> 0) / 8;
    const arrivalGap = peer.packets[beforeHold]!.at - peer.packets[beforeHold - 1]!.at;
    assert.ok(jumpMs >= 300, `timestamp jumped ${jumpMs} ms over 300 ms on hold`);
    assert.ok(
      Math.abs(jumpMs - arrivalGap) <= 45,
      `timestamp jumped ${jumpMs} ms, packets arrived ${arrivalGap.toFixed(0)} ms apart`,
    );
  });

  void it('fires a media timeout when RTP stops, but not while on hold', async () => {
    const peer = await farEnd();
    const silent = await open({
      remote: { address: '127.0.0.1', port: peer.port },
      mediaTimeoutMs: 300,
    });
    const held = await open({
      remote: { address: '127.0.0.1', port: peer.port },
      mediaTimeoutMs: 300,
    });
    held.setDirection('sendonly');
    let timeouts = 0;
    let heldTimeouts = 0;
    silent.on('timeout', () => timeouts++);
    held.on('timeout', () => heldTimeouts++);
    const started = performance.now();
    await waitFor(() => timeouts > 0, { timeoutMs: 3000, message: 'media timeout' });
    assert.ok(performance.now() - started >= 250);
    await sleep(400);
    assert.equal(timeouts, 1, 'fires once');
    assert.equal(heldTimeouts, 0);
  });

  void it('latches onto the address RTP really comes from (symmetric RTP behind NAT)', async () => {
    const sdpAddress = await farEnd(); // what the SDP said: nobody answers from there
    const natted = await farEnd(); // where the caller's packets really come from
    const a = await open({ remote: { address: '127.0.0.1', port: sdpAddress.port } });
    const latched: number[] = [];
    a.on('latched', (r) => latched.push(r.port));
    const packet = serializeRtp({
      marker: true,
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 160,
      ssrc: 9,
      payload: new Uint8Array(160).fill(0xff),
    });
    natted.socket.send(packet, a.localPort, '127.0.0.1');
    await waitFor(() => latched.length === 1, { timeoutMs: 3000, message: 'latch' });
    assert.deepEqual(latched, [natted.port]);
    a.write(frame(1));
    await waitFor(() => natted.packets.length >= 1, {
      timeoutMs: 3000,
      message: 'audio to latched address',
    });
  });

  void it('survives malformed datagrams and counts them', async () => {
    const peer = await farEnd();
    const a = await open({ remote: { address: '127.0.0.1', port: peer.port }, codec: PCMA });
    for (const junk of [
      Buffer.from('INVITE sip:x SIP/2.0'),
      Buffer.alloc(3),
      Buffer.from([0x80, 0x60, 0, 1]),
    ]) {
      peer.socket.send(junk, a.localPort, '127.0.0.1');
    }
    await waitFor(() => a.stats().malformed >= 3, { timeoutMs: 3000 });
    a.write(frame(3));
    await waitFor(() => peer.packets.length === 1, { timeoutMs: 3000 });
    assert.equal(peer.packets[0]!.p.payloadType, 8);
  });

  void it('reports when the first frame of an utterance left as RTP', async () => {
    const peer = await farEnd();
    const a = await open({ remote: { address: '127.0.0.1', port: peer.port } });
    const sentAt: number[] = [];
    a.onFirstFrameSent((t) => sentAt.push(t));
    const written = performance.now();
    a.write(frame(1));
    a.write(frame(2));
    await waitFor(() => sentAt.length === 1 && peer.packets.length === 2, { timeoutMs: 3000 });
    assert.ok(sentAt[0]! >= written && sentAt[0]! - written < 100);
    assert.ok(peer.packets[0]!.at >= sentAt[0]!);
    assert.equal(a.lastFirstFrameSentAt, sentAt[0]);
  });
});
