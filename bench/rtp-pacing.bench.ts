// RTP pacing benchmark: N calls (100/300/500) each sending 20 ms G.711 packets over real loopback
// sockets, paced by the shared PacingScheduler, against a per-call setInterval(20) baseline measured
// in the same run. Reports send-gap deviation (p50/p99/max), the sending rate's drift from 50
// packets/s, packets lost at the receiver and the sender process's CPU. The receiver runs in a child
// process so its CPU is not counted. Writes bench/results/rtp-pacing.json.
//
//   node --import tsx bench/rtp-pacing.bench.ts [--seconds 8] [--sizes 100,300,500]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PCMU,
  PacingScheduler,
  RtpSession,
  type PacedSource,
  type Pacer,
} from '../media-node/src/rtp/index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('seconds', '8'));
const SIZES = arg('sizes', '100,300,500').split(',').map(Number);
const WARMUP_MS = 1000;
const portRange = { min: 30000, max: 32766 };

/** The baseline: one setInterval(20) per call, recording the same send-gap deviations. */
class IntervalPacer implements Pacer {
  private readonly timers = new Map<PacedSource, NodeJS.Timeout>();
  readonly deviations: number[] = [];
  recording = false;
  add(source: PacedSource): void {
    let last: number | undefined;
    this.timers.set(
      source,
      setInterval(() => {
        const now = performance.now();
        if (this.recording && last !== undefined) this.deviations.push(Math.abs(now - last - 20));
        last = now;
        source.onTick(now);
      }, 20),
    );
  }
  remove(source: PacedSource): void {
    clearInterval(this.timers.get(source));
    this.timers.delete(source);
  }
}

const RECEIVER = `
const dgram = require('node:dgram');
const s = dgram.createSocket('udp4');
const counts = new Map();
let recording = false;
s.on('message', (m) => { if (recording) { const k = m.readUInt32BE(8); counts.set(k, (counts.get(k) || 0) + 1); } });
s.bind(0, '127.0.0.1', () => { try { s.setRecvBufferSize(16 << 20); } catch {} process.stdout.write(JSON.stringify({ port: s.address().port }) + '\\n'); });
process.stdin.on('data', (d) => {
  for (const cmd of d.toString().trim().split('\\n')) {
    if (cmd === 'start') { counts.clear(); recording = true; }
    if (cmd === 'stop') { recording = false; process.stdout.write(JSON.stringify({ counts: [...counts] }) + '\\n'); }
    if (cmd === 'exit') { s.close(); process.exit(0); }
  }
});`;

interface Receiver {
  port: number;
  send(cmd: string): void;
  next(): Promise<Record<string, unknown>>;
}

async function startReceiver(): Promise<Receiver> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(JSON.parse(line) as Record<string, unknown>);
      else waiters.push((l) => resolve(JSON.parse(l) as Record<string, unknown>));
    });
  const { port } = (await next()) as { port: number };
  return { port, send: (cmd) => child.stdin.write(`${cmd}\n`), next };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const frame = Int16Array.from({ length: 160 }, (_, i) => Math.round(4000 * Math.sin(i / 5)));

async function run(mode: 'scheduler' | 'setInterval', sessions: number, receiver: Receiver) {
  const scheduler = new PacingScheduler();
  const interval = new IntervalPacer();
  const pacer: Pacer = mode === 'scheduler' ? scheduler : interval;
  const open: RtpSession[] = [];
  for (let i = 0; i < sessions; i++) {
    open.push(
      await RtpSession.open({
        scheduler: pacer,
        codec: PCMU,
        portRange,
        remote: { address: '127.0.0.1', port: receiver.port },
        symmetric: false,
        rtcpIntervalMs: 0,
        mediaTimeoutMs: 0,
      }),
    );
  }
  // A producer that keeps every call's queue fed, like TTS writing ahead of playout.
  const feed = setInterval(() => {
    for (const s of open) while (s.queuedFrames < 20) s.write(frame);
  }, 100);
  for (const s of open) while (s.queuedFrames < 20) s.write(frame);
  await sleep(WARMUP_MS);
  scheduler.resetDeviation();
  interval.recording = true;
  const sentBefore = open.map((s) => s.stats().packetsSent);
  receiver.send('start');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sent = open.map((s, i) => s.stats().packetsSent - (sentBefore[i] ?? 0));
  interval.recording = false;
  clearInterval(feed);
  open.forEach((s) => s.close());
  scheduler.stop();
  await sleep(200); // let packets in flight land
  receiver.send('stop');
  const { counts } = (await receiver.next()) as { counts: [number, number][] };
  const received = new Map(counts);
  const totalSent = sent.reduce((a, b) => a + b, 0);
  const totalReceived = open.reduce((sum, s) => sum + (received.get(s.ssrc) ?? 0), 0);
  const deviation =
    mode === 'scheduler'
      ? scheduler.deviationStats()
      : (() => {
          const sorted = interval.deviations.slice().sort((a, b) => a - b);
          return {
            samples: sorted.length,
            p50: percentile(sorted, 50),
            p99: percentile(sorted, 99),
            max: sorted.at(-1) ?? 0,
          };
        })();
  const ratePerCall = totalSent / sessions / (wall / 1000);
  return {
    mode,
    sessions,
    seconds: Number((wall / 1000).toFixed(2)),
    gapDeviationMs: {
      p50: Number(deviation.p50.toFixed(2)),
      p99: Number(deviation.p99.toFixed(2)),
      max: Number(deviation.max.toFixed(2)),
      samples: deviation.samples,
    },
    packetsPerCallPerSecond: Number(ratePerCall.toFixed(2)),
    driftPercent: Number((((ratePerCall - 50) / 50) * 100).toFixed(2)),
    sent: totalSent,
    received: totalReceived,
    lost: Math.max(0, totalSent - totalReceived),
    cpuPercentOfOneCore: Number((((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)),
  };
}

console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
const receiver = await startReceiver();
const results: Awaited<ReturnType<typeof run>>[] = [];
for (const sessions of SIZES) {
  for (const mode of ['scheduler', 'setInterval'] as const) {
    const r = await run(mode, sessions, receiver);
    results.push(r);
    console.log(
      `${String(sessions).padStart(4)} calls ${mode.padEnd(11)} gap p99 ${r.gapDeviationMs.p99.toFixed(2).padStart(6)} ms  ` +
        `drift ${r.driftPercent.toFixed(2).padStart(6)}%  lost ${r.lost}  cpu ${r.cpuPercentOfOneCore}%`,
    );
  }
}
receiver.send('exit');
const ratios = SIZES.map((sessions) => {
  const s = results.find((r) => r.sessions === sessions && r.mode === 'scheduler');
  const b = results.find((r) => r.sessions === sessions && r.mode === 'setInterval');
  return {
    sessions,
    p99BaselineOverScheduler:
      s && b && s.gapDeviationMs.p99 > 0
        ? Number((b.gapDeviationMs.p99 / s.gapDeviationMs.p99).toFixed(2))
        : null,
    cpuSchedulerOverBaseline:
      s && b && b.cpuPercentOfOneCore > 0
        ? Number((s.cpuPercentOfOneCore / b.cpuPercentOfOneCore).toFixed(2))
        : null,
  };
});
console.table(ratios);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/rtp-pacing.json', import.meta.url),
  `${JSON.stringify({ node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, secondsPerRun: SECONDS, loadAverageAtEnd: loadavg(), results, ratios }, null, 2)}\n`,
);
