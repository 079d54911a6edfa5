// The local fleet as a newcomer meets it: the README's main command runs the example manifests,
// and `voicefleet call` talks to the front-desk agent through a real Kamailio edge, real media
// nodes, espeak-ng and pocketsphinx, all on loopback.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDevState } from '@voicefleet/devtools/local';
import { freePort } from './harness/free-port.js';
import { spawnProcess, waitForLogLine, type ManagedProcess } from './harness/process.js';
import { waitFor } from './harness/wait.js';

const ROOT = new URL('..', import.meta.url).pathname;
const NUMBER = '+14155550100';
const missing = ['kamailio', 'espeak-ng', 'sox'].filter(
  (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0,
);
const skip =
  missing.length > 0 && process.env.CI !== 'true' ? `needs ${missing.join(', ')}` : false;

interface CallOutcome {
  code: number | null;
  stdout: string;
  agentLines: string[];
}

function call(runDir: string, args: string[]): Promise<CallOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(ROOT, 'bin/voicefleet'),
      ['call', NUMBER, '--run-dir', runDir, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const agentLines = stdout
        .split('\n')
        .filter((l) => l.startsWith('agent:'))
        .map((l) => l.replace(/^agent:\s+/, ''));
      resolve({ code, stdout, agentLines });
    });
  });
}

describe('local fleet: npm run dev + voicefleet call', { skip, timeout: 300_000 }, () => {
  let folder: string;
  let runDir: string;
  let dev: ManagedProcess;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'vf-local-manifests-'));
    runDir = await mkdtemp(join(tmpdir(), 'vf-local-run-'));
    for (const file of ['front-desk.yaml', 'carrier-trunk.yaml']) {
      await copyFile(join(ROOT, 'crds/examples', file), join(folder, file));
    }
    dev = spawnProcess({
      name: 'voicefleet dev',
      command: 'bash',
      args: [
        join(ROOT, 'scripts/dev.sh'),
        folder,
        '--sip-port',
        String(await freePort()),
        '--run-dir',
        runDir,
      ],
      logPath: join(runDir, 'dev.log'),
    });
    await waitFor(
      async () => (await readDevState(runDir))?.nodes.some((n) => n.phase === 'ready'),
      {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: `a ready media node (log ${join(runDir, 'dev.log')})`,
      },
    );
  });

  after(async () => {
    if (dev === undefined) return;
    const state = await readDevState(runDir);
    const exit = await dev.stop({ signal: 'SIGINT', timeoutMs: 30_000 });
    assert.equal(exit.code, 0, `voicefleet dev exits cleanly on Ctrl-C:\n${dev.logTail()}`);
    for (const node of state?.nodes ?? []) {
      const alive = await fetch(`${node.httpUrl}/healthz`).then(
        () => true,
        () => false,
      );
      assert.equal(alive, false, `media node ${node.id} stopped with the fleet`);
    }
    await rm(folder, { recursive: true, force: true });
    if (process.env.VOICEFLEET_KEEP_TMP === undefined)
      await rm(runDir, { recursive: true, force: true });
  });

  it('answers "What time do you open on Saturday" with the scripted hours and a latency breakdown', async () => {
    const r = await call(runDir, ['--say', 'What time do you open on Saturday']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.agentLines[0], 'Thanks for calling Bayview Dental, how can I help?', r.stdout);
    assert.ok(
      r.agentLines.includes('On Saturday we open at nine in the morning and close at one.'),
      r.stdout,
    );
    assert.match(r.stdout, /turn 1: end of speech -> STT final \d+ ms -> .* -> at your ear \d+ ms/);
  });

  it('completes a booking over several turns, the agent asking for the day and then the time', async () => {
    const r = await call(runDir, [
      '--say',
      'I would like to book an appointment',
      '--say',
      'tuesday',
      '--say',
      'nine',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(
      r.agentLines.slice(1, 3),
      ['Sure. Which day would you like?', 'And what time on tuesday?'],
      r.stdout,
    );
    assert.match(
      r.agentLines[3] ?? '',
      /^You are booked for tuesday at \w+\. Anything else\?$/,
      r.stdout,
    );
  });

  it('transfers to a person on request', async () => {
    const r = await call(runDir, ['--say', 'I want to talk to a person']);
    assert.ok(r.agentLines.includes('Let me connect you to a person.'), r.stdout);
    assert.match(r.stdout, /call ended: the agent transferred the call to .*14155550199/);
  });

  it('lets the caller save the call audio as a WAV file', async () => {
    const wav = join(runDir, 'call.wav');
    const r = await call(runDir, ['--say', 'goodbye', '--wav', wav]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /call ended: the agent hung up/);
    const bytes = await readFile(wav);
    assert.equal(bytes.subarray(0, 4).toString(), 'RIFF');
    assert.ok(bytes.length > 8000 * 2, 'at least a second of audio');
  });

  it('plays the new greeting on the next call after the agent YAML is edited', async () => {
    const file = join(folder, 'front-desk.yaml');
    const yaml = await readFile(file, 'utf8');
    await writeFile(
      file,
      yaml.replace(
        "greeting: 'Thanks for calling Bayview Dental, how can I help?'",
        "greeting: 'Hello from the new Bayview front desk.'",
      ),
    );
    await waitForLogLine(dev, /manifests reloaded/, { timeoutMs: 30_000 });
    const heard = await waitFor(
      async () => {
        const r = await call(runDir, []);
        return r.agentLines[0] === 'Hello from the new Bayview front desk.' ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, message: 'the new greeting' },
    );
    assert.equal(heard.code, 0, heard.stdout);
  });

  it('reports an invalid edit and keeps serving calls with the running fleet', async () => {
    const file = join(folder, 'front-desk.yaml');
    const yaml = await readFile(file, 'utf8');
    await writeFile(file, yaml.replace(`numbers: ['${NUMBER}']`, "numbers: ['4155550100']"));
    const line = await waitForLogLine(dev, /spec\.numbers\[0\]/, { timeoutMs: 30_000 });
    assert.match(line, /front-desk\.yaml \(VoiceAgent front-desk\): spec\.numbers\[0\]/);
    await waitForLogLine(dev, /the running fleet is unchanged until the manifests are valid/);
    const r = await call(runDir, []);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.agentLines[0], 'Hello from the new Bayview front desk.');
  });

  it('fails with a non-zero exit code when the number is unknown', () => {
    const child = spawnSync(
      join(ROOT, 'bin/voicefleet'),
      ['call', '+15550000000', '--run-dir', runDir],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(child.status, 1, child.stdout + child.stderr);
    assert.match(child.stdout, /call failed: the call failed: 404/);
  });
});
