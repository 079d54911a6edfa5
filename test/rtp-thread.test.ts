// Call sessions on the RTP thread, heard from a far end on loopback: the agent's speech leaves
// paced and numbered, the caller's audio comes back in order, barge-in stops it (on the thread,
// even while the event loop is blocked), a reply longer than the shared ring still plays whole, a
// stalled event loop does not stall the audio, the thread runs ahead of the event loop, and a
// thread that dies ends its calls and is replaced, with the node’s SIP port bound again.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { mulawDecodeSample, mulawEncodeSample } from '../media-node/src/audio/index.js';
import { PCMU, parseRtp, serializeRtp, type RtpPacket } from '../media-node/src/rtp/index.js';
import {
  RtpThread,
  type RtpThreadPriority,
  type ThreadRtpSession,
} from '../media-node/src/rtp-thread/index.js';
import { createOnsetClassifier } from '../media-node/src/vad/onset.js';
import { loadWebRtcVad } from '../media-node/src/vad/webrtc-vad.js';
import { renderPcm8k } from './audio/speech.js';
import { waitFor } from '@voicefleet/devtools/processes';

const portRange = { min: 30000, max: 32766 };
let thread: RtpThread;
const cleanups: (() => void)[] = [];

before(async () => {
  thread = await RtpThread.start();
});

after(async () => {
  for (const c of cleanups.splice(0).reverse()) c();
  await thread.close();
});

async function open(remotePort?: number): Promise<ThreadRtpSession> {
  const s = await thread.open({
    codec: PCMU,
    portRange,
    telephoneEventPayloadType: 101,
    ...(remotePort === undefined ? {} : { remote: { address: '127.0.0.1', port: remotePort } }),
  });
  cleanups.push(() => s.close());
  return s;
}

async function farEnd(): Promise<{ socket: Socket; port: number; packets: RtpPacket[] }> {
  const socket = createSocket('udp4');
  const packets: RtpPacket[] = [];
  socket.on('message', (msg) => {
    const r = parseRtp(Uint8Array.from(msg));
    if (r.ok) packets.push(r.packet);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => socket.close());
  return { socket, port: socket.address().port, packets };
}

/** The µ-law code frame `n` is sent as (its samples sit exactly on a µ-law level). */
const code = (n: number): number => mulawEncodeSample(mulawDecodeSample(n % 120));
/** Frame `n`: every sample at level n, so the far end reads n back from the payload. */
const frame = (n: number): Int16Array => new Int16Array(160).fill(mulawDecodeSample(n % 120));
const codeOf = (p: RtpPacket): number => p.payload[0]!;

function assertContinuous(packets: RtpPacket[]): void {
  for (let i = 1; i < packets.length; i++) {
    const [a, b] = [packets[i - 1]!, packets[i]!];
    assert.equal(b.sequenceNumber, (a.sequenceNumber + 1) & 0xffff, `sequence at packet ${i}`);
    assert.equal(b.timestamp, (a.timestamp + 160) >>> 0, `timestamp at packet ${i}`);
  }
}

/** A caller in a process of its own (it keeps time while this event loop is blocked). */
interface Caller {
  port: number;
  /** Starts sending to `port`: 300 ms of silence, then the speech. */
  go(port: number): void;
  /** What it heard: arrival times relative to its first speech frame, with each packet's fields. */
  report(): Promise<{ at: number; seq: number; code: number }[]>;
}

const CALLER_SCRIPT = `
const dgram = require('node:dgram');
const speech = require('node:fs').readFileSync(process.argv[1]);
const s = dgram.createSocket('udp4');
const got = [];
let speechAt;
s.on('message', (m) => got.push([performance.now(), m.readUInt16BE(2), m[12]]));
s.bind(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  const [cmd, arg] = d.trim().split(' ');
  if (cmd === 'go') return start(Number(arg));
  console.log(JSON.stringify(got.map(([t, seq, code]) => ({ at: t - speechAt, seq, code }))));
  s.close();
});
function start(port) {
  const frames = [];
  for (let i = 0; i < 15; i++) frames.push(Buffer.alloc(160, 0xff));
  for (let o = 0; o + 160 <= speech.length; o += 160) frames.push(speech.subarray(o, o + 160));
  const t0 = performance.now();
  let n = 0;
  const tick = () => {
    if (n >= frames.length) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header.writeUInt16BE(n, 2);
    header.writeUInt32BE(n * 160, 4);
    header.writeUInt32BE(0x5678, 8);
    if (n === 15) speechAt = performance.now();
    s.send(Buffer.concat([header, frames[n]]), port, '127.0.0.1');
    n++;
    setTimeout(tick, Math.max(0, t0 + n * 20 - performance.now()));
  };
  tick();
}`;

async function callerProcess(speechFile: string): Promise<Caller> {
  const child = spawn(process.execPath, ['-e', CALLER_SCRIPT, speechFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill());
  child.stdout.setEncoding('utf8');
  const lines: string[] = [];
  child.stdout.on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  const port = Number(await waitFor(() => lines[0], { message: 'caller port' }));
  return {
    port,
    go: (to) => child.stdin.write(`go ${to}\n`),
    report: async () => {
      child.stdin.write('report\n');
      const line = await waitFor(() => lines[1], { message: 'caller report' });
      child.stdin.end();
      return JSON.parse(line) as { at: number; seq: number; code: number }[];
    },
  };
}

/** The caller's question as µ-law, from its first audible sample: speech starts at frame one. */
async function speechFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rtp-thread-'));
  cleanups.push(() => void rm(dir, { recursive: true, force: true }));
  const pcm = await renderPcm8k(dir, 'question', 'Wait, I have another question about my booking.');
  const first = pcm.findIndex((x) => Math.abs(x) > 1000);
  const ulaw = Uint8Array.from(pcm.subarray(Math.max(0, first)), (x) => mulawEncodeSample(x));
  const file = join(dir, 'question.ulaw');
  await writeFile(file, ulaw);
  return file;
}

/** What the agent does when it hears the onset: clear, let the hold go, or pause (then decide). */
type OnsetDecision = 'clear' | 'release' | 'pause-resume' | 'pause-clear';
/** How long a pausing agent waits before it decides (the speech's minSpeechMs, and more). */
const PAUSE_MS = 800;

/**
 * The agent's side of a barge-in: plays a 250-frame reply, listens with the agent's own onset
 * classifier, and blocks its event loop for 600 ms from just before the caller speaks, so only
 * the RTP thread can react in time. `decision` is what the agent does once it hears the onset.
 */
async function bargeIn(decision: OnsetDecision) {
  const clearOnOnset = decision === 'clear' || decision === 'pause-clear';
  const caller = await callerProcess(await speechFile());
  const session = await thread.open({
    codec: PCMU,
    portRange,
    remote: { address: '127.0.0.1', port: caller.port },
    bargeInOnsetFrames: 3,
  });
  cleanups.push(() => session.close());
  const onset = createOnsetClassifier(await loadWebRtcVad());
  cleanups.push(() => onset.close());
  let run = 0;
  let onsetAtMs: number | undefined;
  let stoppedAtMs: number | undefined;
  // the thread's verdict on each frame against the agent's own classifier's
  const verdicts = { frames: 0, speech: 0, disagreements: 0 };
  session.on('audio', (f, _kind, atMs, threadSpeech) => {
    const speech = onset.isSpeech(f);
    verdicts.frames++;
    if (speech) verdicts.speech++;
    if (threadSpeech !== speech) verdicts.disagreements++;
    if (!speech) {
      run = 0;
      return;
    }
    if (++run !== 3 || onsetAtMs !== undefined) return;
    onsetAtMs = atMs;
    if (decision === 'clear') stoppedAtMs = session.clear();
    if (decision === 'pause-resume' || decision === 'pause-clear') {
      stoppedAtMs = session.pause();
      setTimeout(() => (decision === 'pause-clear' ? session.clear() : session.resume()), PAUSE_MS);
    }
  });
  for (let i = 0; i < 250; i++) session.write(frame(i));
  caller.go(session.localPort);
  await sleep(200);
  const until = performance.now() + 600; // speech starts about 100 ms into this
  while (performance.now() < until);
  await sleep(clearOnOnset ? 1_000 + (decision === 'pause-clear' ? PAUSE_MS : 0) : 0);
  if (!clearOnOnset) await waitFor(() => session.queuedFrames === 0, { message: 'reply played' });
  await sleep(100);
  return { heard: await caller.report(), onsetAtMs, stoppedAtMs, verdicts };
}

describe('RTP thread', () => {
  it('sends the agent’s frames paced and numbered, and reports when the first one left', async () => {
    const peer = await farEnd();
    const session = await open(peer.port);
    let sentAt: number | undefined;
    session.onFirstFrameSent((at) => (sentAt = at));
    const written = performance.now();
    for (let i = 0; i < 25; i++) session.write(frame(i));
    assert.equal(session.queuedFrames, 25);
    await waitFor(() => peer.packets.length === 25, { message: '25 packets' });
    assert.deepEqual(
      peer.packets.map(codeOf),
      Array.from({ length: 25 }, (_, i) => code(i)),
    );
    assertContinuous(peer.packets);
    assert.equal(peer.packets[0]!.marker, true, 'a talkspurt starts with the marker bit');
    assert.ok(sentAt !== undefined && sentAt >= written && sentAt - written < 100, `${sentAt}`);
    await waitFor(() => session.queuedFrames === 0, { message: 'queue drained' });
    await waitFor(() => session.stats().packetsSent === 25, { message: 'counters follow' });
  });

  it('hands the caller’s audio to the event loop in order, with the time it was played out', async () => {
    const session = await open();
    const caller = createSocket('udp4');
    cleanups.push(() => caller.close());
    await new Promise<void>((resolve) => caller.bind(0, '127.0.0.1', resolve));
    const heard: { level: number; at: number }[] = [];
    session.on('audio', (f, kind, at) => {
      if (kind === 'audio') heard.push({ level: f[0]!, at });
    });
    const start = performance.now();
    for (let i = 0; i < 20; i++) {
      const payload = new Uint8Array(160).fill(code(i + 1));
      const packet = serializeRtp({
        marker: i === 0,
        payloadType: 0,
        sequenceNumber: 1000 + i,
        timestamp: 5000 + i * 160,
        ssrc: 0x1234,
        payload,
      });
      caller.send(packet, session.localPort, '127.0.0.1');
      await sleep(20);
    }
    await waitFor(() => heard.length === 20, { message: '20 frames heard' });
    assert.deepEqual(
      heard.map((h) => h.level),
      Array.from({ length: 20 }, (_, i) => mulawDecodeSample(code(i + 1))),
    );
    for (let i = 1; i < heard.length; i++) assert.ok(heard[i]!.at >= heard[i - 1]!.at);
    assert.ok(heard[0]!.at >= start && heard.at(-1)!.at <= performance.now());
    await waitFor(() => session.stats().packetsReceived === 20, { message: 'received counter' });
  });

  it('barge-in: clear() stops playback within a tick, and the next reply plays from its start', async () => {
    const peer = await farEnd();
    const session = await open(peer.port);
    for (let i = 0; i < 100; i++) session.write(frame(1));
    let cancelled = false;
    session.onFirstFrameSent(() => (cancelled = true));
    session.write(frame(1)); // its callback is cancelled by the clear below
    await waitFor(() => peer.packets.length >= 5, { message: 'playback started' });
    session.clear();
    const atClear = peer.packets.length;
    assert.equal(session.queuedFrames, 0);
    await sleep(200);
    assert.ok(
      peer.packets.length - atClear <= 2,
      `${peer.packets.length - atClear} sent after clear`,
    );
    let sentAt: number | undefined;
    session.onFirstFrameSent((at) => (sentAt = at));
    for (let i = 0; i < 5; i++) session.write(frame(2));
    const reply = () => peer.packets.filter((p) => codeOf(p) === code(2));
    await waitFor(() => reply().length === 5 && sentAt !== undefined, {
      message: 'the next reply',
    });
    const next = peer.packets.findIndex((p) => codeOf(p) === code(2));
    assert.equal(peer.packets[next]!.marker, true, 'the reply after a barge-in is a new talkspurt');
    assert.equal(cancelled, false, 'a cleared frame’s callback never fires');
    assertContinuous(peer.packets.slice(0, next));
    assertContinuous(peer.packets.slice(next));
    const [last, first] = [peer.packets[next - 1]!, peer.packets[next]!];
    assert.equal(first.sequenceNumber, (last.sequenceNumber + 1) & 0xffff, 'no sequence gap');
    const ticks = ((first.timestamp - last.timestamp) >>> 0) / 160;
    assert.ok(Number.isInteger(ticks) && ticks >= 10, `timestamps follow the clock (${ticks})`);
  });

  it('plays a reply longer than the shared ring whole and in order', async () => {
    const peer = await farEnd();
    const session = await open(peer.port);
    const frames = 300; // the ring holds 256: the rest waits on the event loop's side
    for (let i = 0; i < frames; i++) session.write(frame(i));
    assert.equal(session.queuedFrames, frames);
    await waitFor(() => peer.packets.length === frames, {
      timeoutMs: 15_000,
      message: 'all frames',
    });
    assert.deepEqual(
      peer.packets.map(codeOf),
      Array.from({ length: frames }, (_, i) => code(i)),
    );
    assertContinuous(peer.packets);
  });

  it('keeps sending every 20 ms while the event loop is stalled', async () => {
    // The far end runs in its own process: it timestamps packets while this loop is blocked.
    const listener = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('node:dgram').createSocket('udp4'); const at = [];
         s.on('message', () => at.push(performance.now()));
         s.bind(0, '127.0.0.1', () => console.log(s.address().port));
         process.stdin.on('data', () => { console.log(JSON.stringify(at)); s.close(); });`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    cleanups.push(() => listener.kill());
    listener.stdout.setEncoding('utf8');
    const lines: string[] = [];
    listener.stdout.on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
    const port = Number(await waitFor(() => lines[0], { message: 'listener port' }));
    const session = await open(port);
    for (let i = 0; i < 50; i++) session.write(frame(i));
    await sleep(100);
    const until = performance.now() + 400;
    while (performance.now() < until); // the event loop does nothing else for 400 ms
    await waitFor(() => session.queuedFrames === 0, { message: 'reply played' });
    listener.stdin.write('report\n');
    const report = await waitFor(() => lines[1], { message: 'listener report' });
    const at = JSON.parse(report) as number[];
    assert.equal(at.length, 50);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    const worst = Math.max(...gaps);
    assert.ok(
      worst < 60,
      `largest gap between packets ${worst.toFixed(1)} ms while the loop was blocked 400 ms`,
    );
    listener.stdin.end();
    await once(listener, 'exit');
  });

  it('barge-in on the thread: caller speech over the agent stops it while the event loop is blocked', async () => {
    const { heard, onsetAtMs, stoppedAtMs } = await bargeIn('clear');
    const before = heard.filter((p) => p.at < 0);
    assert.ok(before.length >= 10, `the agent was talking (${before.length} packets before)`);
    const last = heard.at(-1)!;
    // Three 20 ms speech frames make the onset, one more tick to play it out of the jitter buffer.
    assert.ok(
      last.at < 150,
      `the agent's last packet came ${last.at.toFixed(0)} ms into the speech`,
    );
    assert.ok(heard.length < 250, 'the rest of the reply was dropped');
    assert.notEqual(onsetAtMs, undefined, 'the agent heard the onset once its loop was free');
    assert.equal(stoppedAtMs, onsetAtMs, 'clear() reports the hold at the onset frame');
  });

  it('barge-in on the thread: an agent that lets the reply go on loses none of it', async () => {
    const { heard, onsetAtMs, verdicts } = await bargeIn('release');
    assert.notEqual(onsetAtMs, undefined, 'the agent heard the onset');
    // the agent's turn detector takes the thread's verdicts instead of classifying again
    assert.ok(verdicts.speech > 20, `speech heard in ${verdicts.speech} of ${verdicts.frames}`);
    assert.equal(verdicts.disagreements, 0, 'the thread and the agent agree on every frame');
    assert.deepEqual(
      heard.map((p) => p.code),
      Array.from({ length: 250 }, (_, i) => code(i)),
      'every frame, in order',
    );
    for (let i = 1; i < heard.length; i++) {
      assert.equal(heard[i]!.seq, (heard[i - 1]!.seq + 1) & 0xffff, `sequence at packet ${i}`);
    }
    const gaps = heard.slice(1).map((p, i) => ({ from: heard[i]!.at, gap: p.at - heard[i]!.at }));
    const held = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
    assert.ok(held.gap > 200, `held until the agent decided (${held.gap.toFixed(0)} ms)`);
    assert.ok(held.from < 150, `the hold began ${held.from.toFixed(0)} ms into the speech`);
  });

  it('barge-in paused at the onset: the pause outlasts the hold, and resume plays on from the frame where it stopped', async () => {
    const { heard, onsetAtMs, stoppedAtMs } = await bargeIn('pause-resume');
    assert.notEqual(onsetAtMs, undefined, 'the agent heard the onset');
    assert.equal(stoppedAtMs, onsetAtMs, 'pause() reports the hold at the onset frame');
    assert.deepEqual(
      heard.map((p) => p.code),
      Array.from({ length: 250 }, (_, i) => code(i)),
      'every frame, in order',
    );
    const gaps = heard.slice(1).map((p, i) => ({ from: heard[i]!.at, gap: p.at - heard[i]!.at }));
    const held = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
    assert.ok(held.from < 150, `the pause began ${held.from.toFixed(0)} ms into the speech`);
    // the hold alone ends when the blocked event loop hears the onset, about 500 ms in
    assert.ok(
      held.gap > PAUSE_MS + 200,
      `paused until the agent resumed (${held.gap.toFixed(0)} ms)`,
    );
  });

  it('barge-in paused at the onset and then cleared: nothing of the reply leaks out in between', async () => {
    const { heard, onsetAtMs } = await bargeIn('pause-clear');
    assert.notEqual(onsetAtMs, undefined, 'the agent heard the onset');
    const last = heard.at(-1)!;
    assert.ok(
      last.at < 150,
      `the agent's last packet came ${last.at.toFixed(0)} ms into the speech`,
    );
    assert.ok(heard.length < 250, 'the rest of the reply was dropped');
  });

  it('runs ahead of every other thread of the process, raised too where CAP_SYS_NICE allows', async () => {
    const run = promisify(execFile);
    const script = join(import.meta.dirname, 'harness/rtp-thread-priority.ts');
    const probe = async (wrap: string[]) => {
      const [cmd, ...args] = [...wrap, process.execPath, '--import', 'tsx', script];
      const { stdout } = await run(cmd, args);
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        pid: number;
        priority: RtpThreadPriority;
        tasks: { tid: number; nice: number }[];
      };
    };
    for (const wrap of [[], ['setpriv', '--bounding-set=-sys_nice']]) {
      const { pid, priority, tasks } = await probe(wrap);
      const where = `${wrap.join(' ') || 'as this process runs'}: ${JSON.stringify({ priority, tasks })}`;
      if (wrap.length > 0) assert.equal(priority.threadRaised, false, where);
      assert.ok(priority.eventLoop >= Math.min(19, priority.thread + 15), where);
      assert.equal(tasks.find((t) => t.tid === pid)?.nice, priority.eventLoop, where);
      const rtp = tasks.filter((t) => t.nice === priority.thread);
      assert.equal(rtp.length, 1, `one thread at the RTP thread's priority; ${where}`);
      for (const t of tasks) {
        if (t !== rtp[0]) assert.ok(t.nice >= priority.eventLoop, `thread ${t.tid}; ${where}`);
      }
    }
  });

  it('opens on a spare socket pair before the event loop turns, and the pool refills', async () => {
    const own = await RtpThread.start();
    cleanups.push(() => void own.close());
    /** The session, if the open resolved before a macrotask: no round trip to the thread. */
    const openNow = async (range: typeof portRange) => {
      const opened = own.open({ codec: PCMU, portRange: range, host: '127.0.0.1' });
      const later = new Promise<'later'>((resolve) => setImmediate(() => resolve('later')));
      const first = await Promise.race([opened, later]);
      const session = await opened;
      cleanups.push(() => session.close());
      return first === 'later' ? undefined : session;
    };
    assert.equal(await openNow(portRange), undefined, 'no spares kept: the open waits');
    own.keepSpares('127.0.0.1', portRange);
    await waitFor(() => own.spareCount === 16, { message: '16 spare pairs bound' });
    const session = await openNow(portRange);
    assert.ok(session, 'the open waited for the thread');
    assert.equal(own.spareCount, 15);
    await waitFor(() => own.spareCount === 16, { message: 'the pool refilled' });
    // the pair carries the call both ways
    const peer = await farEnd();
    const heard: number[] = [];
    session.on('audio', (f, kind) => kind === 'audio' && heard.push(f[0]!));
    session.setRemote({ address: '127.0.0.1', port: peer.port });
    for (let i = 0; i < 5; i++) session.write(frame(i));
    await waitFor(() => peer.packets.length === 5, { message: '5 packets from the spare pair' });
    assert.deepEqual(peer.packets.map(codeOf), [0, 1, 2, 3, 4].map(code));
    const payload = new Uint8Array(160).fill(code(9));
    const packet = { marker: true, payloadType: 0, timestamp: 160, ssrc: 0x99, payload };
    peer.socket.send(serializeRtp({ ...packet, sequenceNumber: 1 }), session.localPort);
    peer.socket.send(
      serializeRtp({ ...packet, sequenceNumber: 2, timestamp: 320 }),
      session.localPort,
    );
    await waitFor(() => heard.length >= 1, { message: 'the caller heard on the spare pair' });
    assert.equal(heard[0], mulawDecodeSample(code(9)));
  });

  it('ends its calls with a media timeout if the thread dies, and opens new ones on a new thread', async () => {
    const own = await RtpThread.start();
    const session = await own.open({ codec: PCMU, portRange });
    let timedOut = false;
    session.on('timeout', () => (timedOut = true));
    await own['worker']?.terminate();
    await waitFor(() => timedOut, { message: 'timeout after the thread died' });
    const peer = await farEnd();
    const next = await own.open({
      codec: PCMU,
      portRange,
      remote: { address: '127.0.0.1', port: peer.port },
    });
    next.write(frame(3));
    await waitFor(() => peer.packets.length === 1, { message: 'a packet from the new thread' });
    next.close();
    await own.close();
  });

  it('binds the node’s SIP port again on the new thread when the thread dies', async () => {
    const own = await RtpThread.start();
    const udp = await own.listenSip('127.0.0.1', 0);
    const received: string[] = [];
    udp.receive((data) => received.push(data.toString()));
    const peer = await farEnd();
    const heard: string[] = [];
    peer.socket.removeAllListeners('message');
    peer.socket.on('message', (m) => heard.push(m.toString()));
    peer.socket.send('OPTIONS before', udp.port, '127.0.0.1');
    await waitFor(() => received.length === 1, { message: 'a datagram on the first thread' });
    await own['worker']?.terminate();
    // the same port, on the new thread: the edge's routes to this node stay right
    await waitFor(
      async () => {
        peer.socket.send('OPTIONS after', udp.port, '127.0.0.1');
        await sleep(50);
        return received.includes('OPTIONS after');
      },
      { message: 'a datagram on the new thread' },
    );
    udp.send(Buffer.from('SIP/2.0 200 OK'), '127.0.0.1', peer.port);
    await waitFor(() => heard.includes('SIP/2.0 200 OK'), {
      message: 'a reply from the new thread',
    });
    await udp.close();
    await own.close();
  });
});
