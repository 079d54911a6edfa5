// Local-fleet benchmark: the example front desk run by the same runtime as `voicefleet dev`, and
// 20 calls of 3 turns each placed through its Kamailio edge by the `voicefleet call` caller.
// Measures mouth-to-ear at the caller (end of the caller's speech -> first agent audio heard)
// against the agent's configured end-of-turn silence, and the node's own stage timings, so the
// part the edge, RTP and the caller add is visible (mouth-to-ear minus the node's first RTP).
// Writes bench/results/local.json. Run: npm run bench:local
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeTestCall, type TestCallResult } from '@voicefleet/devtools/caller';
import { LocalFleet, loadManifestFolder } from '@voicefleet/devtools/local';
import { freePort } from '@voicefleet/devtools/processes';

const CALLS = Number(process.env.VOICEFLEET_BENCH_CALLS ?? 20);
const NUMBER = '+14155550100';
const TURNS = [
  'What time do you open on Saturday',
  'I would like to book an appointment',
  'tuesday',
];
const root = new URL('..', import.meta.url).pathname;

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'vf-bench-local-'));
  const runDir = join(folder, 'run');
  await mkdir(runDir);
  await mkdir(join(folder, 'manifests'));
  for (const f of ['front-desk.yaml', 'carrier-trunk.yaml']) {
    await copyFile(join(root, 'crds/examples', f), join(folder, 'manifests', f));
  }
  const manifests = await loadManifestFolder(join(folder, 'manifests'));
  if (manifests.problems.length > 0) throw new Error(manifests.problems.join('\n'));
  const endOfTurnMs = manifests.agents[0]?.spec.pipeline.vad?.endOfTurnMs ?? 500;
  const fleet = new LocalFleet({ runDir, sipPort: await freePort() });
  const results: TestCallResult[] = [];
  try {
    await fleet.apply(manifests);
    const deadline = Date.now() + 120_000;
    while (!fleet.mediaNodes.some((n) => n.phase === 'ready')) {
      if (Date.now() > deadline) throw new Error('no media node became ready');
      await new Promise((r) => setTimeout(r, 250));
    }
    const edge = fleet.edgeAddresses[0]!.sipUri;
    const nodeUrls = fleet.mediaNodes.map((n) => n.httpUrl);
    for (let i = 0; i < CALLS; i++) {
      const r = await placeTestCall({
        edgeUri: edge,
        number: NUMBER,
        steps: TURNS.map((say) => ({ say })),
        nodeUrls,
        replyTimeoutMs: 10_000,
      });
      results.push(r);
      const ears = r.turns.map((t) => t.mouthToEarMs ?? 'none').join(', ');
      console.log(
        `call ${i + 1}/${CALLS}: ${r.endedBy}${r.failure ? ` (${r.failure})` : ''}; mouth-to-ear ${ears} ms`,
      );
    }
  } finally {
    await fleet.stop();
    await rm(folder, { recursive: true, force: true });
  }

  const turns = results.flatMap((r) => r.turns);
  const answered = turns.filter((t) => t.mouthToEarMs !== undefined);
  const failedCalls = results.filter(
    (r) =>
      r.endedBy === 'failure' ||
      !r.greetingHeard ||
      r.turns.length < TURNS.length ||
      r.turns.some((t) => t.mouthToEarMs === undefined),
  ).length;
  const stage = (key: string) =>
    percentile(
      answered.flatMap((t) => (t.stages?.[key] === undefined ? [] : [t.stages[key]])),
      95,
    );
  const mouthToEar = answered.map((t) => t.mouthToEarMs!);
  const mouthToEarP95Ms = percentile(mouthToEar, 95);
  const firstRtpP95 = stage('firstRtpMs');
  const out = {
    turns: answered.length,
    endOfTurnMs,
    mouthToEarP95Ms,
    mouthToEarP50Ms: percentile(mouthToEar, 50),
    failedCalls,
    calls: results.length,
    target: { mouthToEarP95Ms: endOfTurnMs + 150, failedCalls: 0 },
    // The node's own view of the same turns, from the end of caller speech it detected.
    nodeStagesP95Ms: {
      sttFinal: stage('sttFinalMs'),
      llmFirstToken: stage('llmFirstTokenMs'),
      ttsFirstAudio: stage('ttsFirstAudioMs'),
      firstRtp: firstRtpP95,
    },
    // Baseline in the same run: the configured end-of-turn silence every turn must wait out.
    ratioToEndOfTurn:
      mouthToEarP95Ms === undefined ? undefined : +(mouthToEarP95Ms / endOfTurnMs).toFixed(2),
    edgeAndCallerP95Ms:
      mouthToEarP95Ms === undefined || firstRtpP95 === undefined
        ? undefined
        : Math.round(mouthToEarP95Ms - firstRtpP95),
    machine: { loadavg1m: +loadavg()[0]!.toFixed(2) },
    at: new Date().toISOString(),
  };
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/local.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

await main();
