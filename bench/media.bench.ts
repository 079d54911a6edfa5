/**
 * Media benchmark (`npm run bench:media`): sipp drives concurrent agent calls with real audio into
 * ONE media-node process pinned to one core (`taskset -c 1`); the providers run as separate
 * processes over gRPC (replay STT, paced pre-rendered TTS) with the scripted LLM in the node.
 * The concurrent-call count steps up (50, 100, 200, ...) with a bounded window per step.
 *
 * Measured at the node: pacing p99 (its scheduler), RTP loss (its receive statistics), TTS first
 * audio -> first RTP packet and barge-in (speech onset at the node -> playback stopped) from its
 * call events. At the caller: INVITE -> 200 at 50 calls/s (sipp), and the packet gaps one probe
 * caller hears. Baseline in the same run: sipp -> sipp (setup) and a sipp RTP echo (gaps heard).
 * Writes bench/results/media.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderPcm8k, renderTurnUlaw } from '../test/audio/speech.js';
import { freePort, waitFor } from '@voicefleet/devtools/processes';
import { runSippLoad, startSippUas } from '../test/harness/sipp.js';
import { sampleValue } from '../test/harness/prom-text.js';
import { TestCaller } from '../test/media-node-caller.js';
import {
  FRONT_DESK_PIPELINE,
  startMediaNode,
  type RunningNode,
} from '../test/media-node-process.js';

const root = new URL('..', import.meta.url).pathname;
const STEPS = (process.env['BENCH_MEDIA_STEPS'] ?? '50,100,200,300,400,500,600')
  .split(',')
  .map(Number);
const SETUP_RATE = 50;
/** Setup calls measured (p99 is the 10th slowest), after a warm-up the measurement leaves out. */
const SETUP_CALLS = 1000;
const WARM_UP_CALLS = 50;
const WINDOW_MS = Number(process.env['BENCH_MEDIA_WINDOW_MS'] ?? 10_000);
const PACING_LIMIT_MS = 5;
/**
 * A step's calls must get at least this share of the turns per call the lightest step got: past
 * saturation the RTP thread still paces every call, but the agent answers late or not at all.
 */
const KEEP_UP = 0.75;
const QUESTION = 'what time do you open on saturday';
const children: ChildProcess[] = [];

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (n: number, d = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : null);

/** Starts a reference provider server process on core 0 and reads its `{"port": N}` line. */
async function startProvider(file: string, args: string[]): Promise<number> {
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--import',
      'tsx',
      `${root}/media-node/src/providers/grpc/servers/${file}`,
      '--port',
      '0',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const port = (JSON.parse(line) as { port?: number }).port;
    if (port) return port;
  }
  throw new Error(`${file} exited before it listened`);
}

async function cpuSeconds(pid: number): Promise<number> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

/** Resident memory of the process (all its threads), in MiB. */
async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** Least-squares line through (x, y): what one more x costs, and the cost at x = 0. */
function linearFit(points: readonly [number, number][]): { perUnit: number; atZero: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const perUnit = sxx > 0 ? sxy / sxx : NaN;
  return { perUnit, atZero: my - perUnit * mx };
}

/** The labels every series of the node carries (the agent and region it serves). */
const SERVED = { namespace: 'default', agent: 'front-desk', region: 'local' };

/** A counter of the node; a missing series is an error, not 0, so a rename cannot hide loss. */
async function metric(node: RunningNode, name: string): Promise<number> {
  const text = await node.metrics();
  const value = sampleValue(text, name, SERVED);
  if (value === undefined)
    throw new Error(`the node exports no ${name} for ${JSON.stringify(SERVED)}`);
  return value;
}

/** Gap p99 (ms) between consecutive packets a caller heard, over |gap - 20|. */
function gapDeviationP99(
  caller: TestCaller,
  fromMs: number,
): { p99: number; packets: number; seqGaps: number } {
  const heard = caller.heard.filter((p) => p.atMs >= fromMs);
  const dev: number[] = [];
  let seqGaps = 0;
  for (let i = 1; i < heard.length; i++) {
    const dSeq = (heard[i]!.seq - heard[i - 1]!.seq + 0x10000) & 0xffff;
    const dTs = (heard[i]!.ts - heard[i - 1]!.ts + 2 ** 32) % 2 ** 32;
    if (dSeq !== 1) seqGaps += dSeq - 1;
    if (dSeq === 1 && dTs === 160) dev.push(Math.abs(heard[i]!.atMs - heard[i - 1]!.atMs - 20));
  }
  return { p99: percentile(dev, 99), packets: heard.length, seqGaps };
}

async function probeCall(
  sipPort: number,
  speech: Int16Array,
  ms: number,
): Promise<ReturnType<typeof gapDeviationP99>> {
  const caller = await TestCaller.create(sipPort);
  try {
    const r = await caller.invite();
    if (r.status !== 200) throw new Error(`probe call got ${r.status}`);
    caller.startMedia(ms + 2000);
    const from = performance.now();
    void caller.speak(speech);
    await sleep(ms);
    await caller.stopMedia();
    await caller.bye().catch(() => undefined);
    return gapDeviationP99(caller, from);
  } finally {
    caller.close();
  }
}

/**
 * The node runs as in a pod without CAP_SYS_NICE: its RTP thread cannot be raised, and the other
 * threads step down instead (rtp/rtp-thread.ts). Without setpriv the node runs as this process does.
 */
const UNPRIVILEGED =
  spawnSync('setpriv', ['--bounding-set=-sys_nice', 'true']).status === 0
    ? ['setpriv', '--bounding-set=-sys_nice']
    : [];

/** Waits until the node has no calls (best effort: a step starts regardless after 30 s). */
async function callsEnded(node: RunningNode): Promise<void> {
  await waitFor(
    async () => JSON.parse((await node.http('GET', '/status')).body).activeCalls === 0,
    { timeoutMs: 30_000, intervalMs: 250, message: 'calls ended' },
  ).catch(() => undefined);
}

async function main(): Promise<void> {
  const deadline = Date.now() + 12 * 60_000;
  // Everything but the node runs on core 0: this driver (the probe caller, event readers) and,
  // inheriting its affinity, sipp and the provider servers. The node alone has core 1.
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], {
    stdio: 'ignore',
  });
  if (pinned.status !== 0) throw new Error('taskset could not pin the benchmark driver to core 0');
  const loadAtStart = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  const sttPort = await startProvider('replay-stt-server.ts', ['--transcripts', QUESTION]);
  const ttsPort = await startProvider('paced-tts-server.ts', ['--first-byte-ms', '30']);
  const node = await startMediaNode(
    {
      capacity: { maxCalls: 2000 },
      rtp: { host: '127.0.0.1', portMin: 40000, portMax: 49999 },
      media: { timeoutSeconds: 60 },
      pipeline: {
        ...FRONT_DESK_PIPELINE,
        vad: { provider: 'webrtc', endOfTurnMs: 500 },
        stt: { provider: 'grpc', endpoint: `127.0.0.1:${sttPort}` },
        tts: { provider: 'grpc', endpoint: `127.0.0.1:${ttsPort}` },
      },
    },
    { VOICEFLEET_LOG_LEVEL: 'warn' },
    [...UNPRIVILEGED, 'taskset', '-c', '1'],
  );
  const pid = node.child.pid!;
  const audio = await renderTurnUlaw(node.dir, 'turn', QUESTION, 2);
  const speech = await renderPcm8k(node.dir, 'probe', QUESTION);
  const target = `127.0.0.1:${node.sipPort}`;
  try {
    // One-second calls at 50 calls/s, with sipp timing INVITE -> 200 at the caller.
    const setupRun = (to: string, calls: number) =>
      runSippLoad({
        target: to,
        number: '+14155550100',
        calls,
        rate: SETUP_RATE,
        limit: 300,
        holdMs: 1000,
        scenario: 'media-uac-agent.xml',
        keys: { audio },
        rtt: true,
        timeoutSeconds: 60,
      });
    // A new process compiles its code on the first calls; production nodes are past that.
    await setupRun(target, WARM_UP_CALLS);
    await callsEnded(node);
    // Call setup at 50 calls/s, measured by sipp at the caller; then the same against a sipp UAS.
    const setupEventsFrom = node.events.length;
    const setup = await setupRun(target, SETUP_CALLS);
    const nodeSetup = node.events
      .slice(setupEventsFrom)
      .filter((e) => e.type === 'call.started' && typeof e.setupMs === 'number')
      .map((e) => e.setupMs as number);
    await callsEnded(node);
    const idleRss = await residentMiB(pid); // warmed up, no call
    const uasPort = await freePort();
    const uas = await startSippUas(uasPort);
    const baselineSetup = await setupRun(`127.0.0.1:${uasPort}`, SETUP_CALLS);
    await uas.stop();
    // Caller-side floor: what the probe hears from a sipp RTP echo.
    const echoPort = await freePort();
    const echo = spawn(
      'sipp',
      [
        '-sn',
        'uas',
        '-rtp_echo',
        '-i',
        '127.0.0.1',
        '-p',
        String(echoPort),
        '-mp',
        String(await freePort()),
        '-nostdin',
        '-skip_rlimit',
      ],
      { stdio: 'ignore' },
    );
    children.push(echo);
    await sleep(300);
    const baselineProbe = await probeCall(echoPort, speech, 4000).catch(() => undefined);
    echo.kill('SIGKILL');
    await sleep(2000);

    const steps = [];
    /** The step where stepping stopped short of the last, and why (the node could not carry it). */
    let stoppedAt: { calls: number; reason: string } | undefined;
    for (const calls of STEPS) {
      if (Date.now() > deadline) {
        stoppedAt = { calls, reason: 'the run spent its 12 minutes before this step' };
        break;
      }
      // A saturated node may not answer its HTTP API in time: the step ends there, sipp with it.
      const abort = new AbortController();
      let sipp: ReturnType<typeof runSippLoad> | undefined;
      try {
        const rampMs = (calls / SETUP_RATE) * 1000;
        const holdMs = rampMs + WINDOW_MS + 4000;
        const lostBefore = await metric(node, 'voicefleet_rtp_packets_lost_total');
        const receivedBefore = await metric(node, 'voicefleet_rtp_packets_received_total');
        sipp = runSippLoad({
          signal: abort.signal,
          target,
          number: '+14155550100',
          calls,
          rate: SETUP_RATE,
          limit: calls,
          holdMs,
          scenario: 'media-uac-agent.xml',
          keys: { audio },
          timeoutSeconds: Math.ceil(holdMs / 1000) + 60,
        });
        await waitFor(
          async () => JSON.parse((await node.http('GET', '/status')).body).activeCalls >= calls,
          {
            timeoutMs: rampMs + 20_000,
            intervalMs: 200,
            message: `${calls} calls up`,
          },
        ).catch(() => undefined);
        await sleep(1000);
        await node.http('GET', '/debug/media?reset=1');
        const eventsFrom = node.events.length;
        const cpu0 = await cpuSeconds(pid);
        const t0 = performance.now();
        const probe = await probeCall(node.sipPort, speech, WINDOW_MS - 1000).catch(
          () => undefined,
        );
        const elapsed = (performance.now() - t0) / 1000;
        const cpu = ((await cpuSeconds(pid)) - cpu0) / elapsed;
        const rss = await residentMiB(pid);
        const pacing = JSON.parse((await node.http('GET', '/debug/media')).body).pacing as {
          p99: number;
          max: number;
          samples: number;
        };
        const active = JSON.parse((await node.http('GET', '/status')).body).activeCalls as number;
        const window = node.events.slice(eventsFrom);
        const ttsToRtp = window
          .filter((e) => e.type === 'turn')
          .map((e) => e.timings as Record<string, number>)
          .filter((t) => t.firstRtpMs !== undefined && t.ttsFirstAudioMs !== undefined)
          // a reply prepared during the pause is held until the turn ends: time it from then
          .map((t) => t.firstRtpMs! - Math.max(t.ttsFirstAudioMs!, t.releasedMs ?? -Infinity));
        const bargeIns = window
          .filter((e) => e.type === 'barge-in' && typeof e.stopLatencyMs === 'number')
          .map((e) => e.stopLatencyMs as number);
        const result = await sipp;
        await callsEnded(node);
        const lost = (await metric(node, 'voicefleet_rtp_packets_lost_total')) - lostBefore;
        const received =
          (await metric(node, 'voicefleet_rtp_packets_received_total')) - receivedBefore;
        const step = {
          calls,
          activeDuringWindow: active,
          successfulCalls: result.successful,
          failedCalls: result.failed,
          pacingP99Ms: round(pacing.p99),
          pacingMaxMs: round(pacing.max),
          pacingSamples: pacing.samples,
          lossPct: round(received > 0 ? (100 * lost) / (received + lost) : NaN, 4),
          packetsLost: lost,
          turns: ttsToRtp.length,
          ttsToRtpP99Ms: round(percentile(ttsToRtp, 99)),
          bargeIns: bargeIns.length,
          bargeInP99Ms: round(percentile(bargeIns, 99)),
          probeGapDeviationP99Ms: round(probe?.p99 ?? NaN),
          probeSeqGaps: probe?.seqGaps ?? null,
          nodeCpuCores: round(cpu),
          nodeRssMiB: round(rss, 1),
          // what else ran: CPU per call is comparable between runs only at a like load
          loadAverage1m: Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]),
        };
        console.log(JSON.stringify(step));
        steps.push(step);
        const ok =
          step.pacingP99Ms !== null &&
          step.pacingP99Ms < PACING_LIMIT_MS &&
          lost === 0 &&
          result.failed === 0 &&
          active >= calls;
        if (active < calls) {
          stoppedAt = { calls, reason: `only ${active} of its ${calls} calls were up` };
          break;
        }
        if (!ok && calls >= 200 && (step.pacingP99Ms ?? Infinity) > 10 * PACING_LIMIT_MS) {
          stoppedAt = { calls, reason: `send-gap p99 ${step.pacingP99Ms} ms` };
          break;
        }
      } catch (error) {
        abort.abort();
        await sipp?.catch(() => undefined);
        const why = error instanceof Error ? error.message : String(error);
        stoppedAt = { calls, reason: `the node's HTTP API did not answer (${why})` };
        break;
      }
      await sleep(2000);
    }
    if (stoppedAt) console.log(JSON.stringify({ stoppedAt }));
    const turnsPerCall = (s: { turns: number; calls: number }) => s.turns / s.calls;
    const lightest = steps.length > 0 ? turnsPerCall(steps[0]!) : 0;
    const passing = steps.filter(
      (s) =>
        s.pacingP99Ms !== null &&
        s.pacingP99Ms < PACING_LIMIT_MS &&
        s.packetsLost === 0 &&
        s.failedCalls === 0 &&
        s.activeDuringWindow >= s.calls &&
        turnsPerCall(s) >= KEEP_UP * lightest,
    );
    const best = passing.at(-1);
    const all = (key: 'ttsToRtpP99Ms' | 'bargeInP99Ms') => best?.[key] ?? null;
    // What a media pod needs per call: the operator's default pod resources are sized from this.
    const measured = passing.map((s) => ({
      calls: s.calls,
      cpu: s.nodeCpuCores,
      rss: s.nodeRssMiB,
    }));
    const cpuFit = linearFit(measured.map((s) => [s.calls, s.cpu ?? NaN]));
    const rssFit = linearFit(measured.map((s) => [s.calls, s.rss ?? NaN]));
    const setupP99 = percentile(setup.rttMs, 99);
    const baseSetupP99 = percentile(baselineSetup.rttMs, 99);
    const out = {
      callsPerCore: best?.calls ?? 0,
      /** Steps stopped at this one, short of the last asked for: the node could not carry it. */
      stoppedAt: stoppedAt ?? null,
      pacingP99Ms: best?.pacingP99Ms ?? null,
      lossPct: best?.lossPct ?? null,
      ttsToRtpP99Ms: all('ttsToRtpP99Ms'),
      bargeInP99Ms: all('bargeInP99Ms'),
      setupP99Ms: round(setupP99),
      targets: { callsPerCore: 300, ttsToRtpP99Ms: 25, bargeInP99Ms: 60, setupP99Ms: 20 },
      baseline: {
        sippToSippSetupP99Ms: round(baseSetupP99),
        setupRatio: round(setupP99 / baseSetupP99),
        sippEchoProbeGapDeviationP99Ms: round(baselineProbe?.p99 ?? NaN),
        probeGapRatioAtBest: round(
          (best?.probeGapDeviationP99Ms ?? NaN) / (baselineProbe?.p99 ?? NaN),
        ),
      },
      setup: {
        nodeSideP99Ms: round(percentile(nodeSetup, 99)),
        nodeSideP50Ms: round(percentile(nodeSetup, 50)),
        calls: SETUP_CALLS,
        warmUpCalls: WARM_UP_CALLS,
        ratePerSecond: SETUP_RATE,
        successful: setup.successful,
        failed: setup.failed,
        p50Ms: round(percentile(setup.rttMs, 50)),
      },
      footprint: {
        idleRssMiB: round(idleRss, 1),
        rssPerCallMiB: round(rssFit.perUnit, 3),
        rssAtZeroCallsMiB: round(rssFit.atZero, 1),
        cpuMillicoresPerCall: round(cpuFit.perUnit * 1000, 2),
        cpuMillicoresAtZeroCalls: round(cpuFit.atZero * 1000),
        fittedOver: measured.map((s) => s.calls),
      },
      steps,
      conditions: {
        node: `one process, taskset -c 1${UNPRIVILEGED.length > 0 ? ', without CAP_SYS_NICE (setpriv)' : ''}; this driver, sipp and the providers pinned to core 0; machine shared (2 cores)`,
        pipeline: 'webrtc VAD, gRPC replay STT, gRPC paced TTS (30 ms first byte), scripted LLM',
        callerAudio:
          'espeak question + 2 s silence, looped by sipp rtp_stream (turns and barge-ins)',
        windowMs: WINDOW_MS,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: (await readFile('/proc/loadavg', 'utf8'))
          .split(' ')
          .slice(0, 3)
          .join(' '),
        definitions: {
          callsPerCore: `most concurrent full agent calls with pacing p99 < 5 ms, 0 RTP loss, 0 failed calls, and at least ${KEEP_UP} of the turns per call of the lightest step`,
          ttsToRtpP99Ms:
            "provider's first TTS audio -> first RTP packet of that reply, at the node",
          bargeInP99Ms:
            'caller speech onset at the node -> playback stopped (paused at the onset), for barge-ins that interrupted the agent',
          setupP99Ms: `INVITE -> 200 at 50 calls/s, measured by sipp over ${SETUP_CALLS} calls after ${WARM_UP_CALLS} left out`,
        },
      },
      measuredAt: new Date().toISOString(),
    };
    await writeFile(`${root}/bench/results/media.json`, `${JSON.stringify(out, null, 2)}\n`);
    console.log(
      JSON.stringify({
        callsPerCore: out.callsPerCore,
        pacingP99Ms: out.pacingP99Ms,
        lossPct: out.lossPct,
        ttsToRtpP99Ms: out.ttsToRtpP99Ms,
        bargeInP99Ms: out.bargeInP99Ms,
        setupP99Ms: out.setupP99Ms,
        stoppedAt: out.stoppedAt,
        baseline: out.baseline,
      }),
    );
  } finally {
    if (node.child.exitCode !== null || node.child.signalCode !== null) {
      console.error(
        `media node exited (${node.child.exitCode ?? node.child.signalCode}):\n${node.logs.join('').slice(-4000)}`,
      );
    }
    await node.stop();
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  process.exit(1);
});
