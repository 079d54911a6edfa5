// `voicefleet call` as a newcomer meets it: the README's examples, copied as they are, against the
// example front desk run by `voicefleet dev` through a real Kamailio edge, real media nodes,
// espeak-ng and pocketsphinx, all on loopback. Each test places its own calls.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readWav } from '@voicefleet/media-node/audio';
import {
  ROOT,
  devFleetSkipReason,
  readmeCwd,
  runCall,
  startDevFleet,
  type DevFleet,
} from './harness/dev-fleet.js';

/** The README's `bin/voicefleet call` commands, continuation lines joined, as a user copies them. */
async function readmeCallExamples(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'))
    .filter((line) => line.startsWith('bin/voicefleet call '));
}

/** Signal level (RMS) of 8 kHz samples between two times. */
function rms(samples: Int16Array, fromS: number, toS: number): number {
  const part = samples.subarray(Math.floor(fromS * 8000), Math.floor(toS * 8000));
  return Math.sqrt(part.reduce((sum, s) => sum + s * s, 0) / Math.max(1, part.length));
}

describe(
  'voicefleet call against the example front desk',
  { skip: devFleetSkipReason(), timeout: 400_000 },
  () => {
    let fleet: DevFleet;
    let cwd: string;

    before(async () => {
      fleet = await startDevFleet({
        examples: ['front-desk.yaml', 'carrier-trunk.yaml'],
        readyNodes: 1,
      });
      cwd = await readmeCwd();
    });

    after(async () => {
      await fleet?.remove();
      if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
    });

    it('runs every README example as written and exits 0', async () => {
      const examples = await readmeCallExamples();
      assert.ok(examples.length >= 4, `README call examples: ${examples.join('\n')}`);
      for (const command of examples) {
        const r = await runCall(fleet.runDir, [], { command, cwd });
        assert.equal(r.code, 0, `${command}\n${r.stdout}`);
        assert.equal(
          r.agentLines[0],
          'Thanks for calling Bayview Dental, how can I help?',
          r.stdout,
        );
      }
    });

    it('answers "What time do you open on Saturday" with the scripted hours and a latency breakdown', async () => {
      const r = await fleet.call(['+14155550100', '--say', 'What time do you open on Saturday']);
      assert.equal(r.code, 0, r.stdout);
      assert.ok(
        r.agentLines.includes('On Saturday we open at nine in the morning and close at one.'),
        r.stdout,
      );
      assert.match(
        r.stdout,
        /turn 1: end of speech -> STT final \d+ ms -> .* -> at your ear \d+ ms/,
      );
    });

    it('completes a booking over several turns, the agent asking for the day and then the time', async () => {
      const r = await fleet.call([
        '+14155550100',
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
      const r = await fleet.call(['+14155550100', '--say', 'I want to talk to a person']);
      assert.equal(r.code, 0, r.stdout);
      assert.ok(r.agentLines.includes('Let me connect you to a person.'), r.stdout);
      assert.match(r.stdout, /call ended: the agent transferred the call to .*14155550199/);
    });

    it('hears the answer to a key press, however soon after the key it starts', async () => {
      const r = await fleet.call(['+14155550100', '--dtmf', '1', '--say', 'goodbye']);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /turn 1: end of speech -> .*at your ear \d+ ms/, r.stdout);
      assert.match(r.stdout, /call ended: the agent hung up/, r.stdout);
    });

    it('saves the call as a stereo WAV: you on the left, the agent on the right', async () => {
      const wav = join(fleet.runDir, 'call.wav');
      const r = await fleet.call(['+14155550100', '--say', 'goodbye', '--wav', wav]);
      assert.equal(r.code, 0, r.stdout);
      const bytes = await readFile(wav);
      assert.equal(readWav(bytes).channels, 2);
      const frames = (bytes.length - 44) / 4;
      assert.ok(frames > 3 * 8000, 'the greeting, your line and the goodbye: several seconds');
      const left = new Int16Array(frames);
      const right = new Int16Array(frames);
      const view = new DataView(bytes.buffer, bytes.byteOffset + 44);
      for (let i = 0; i < frames; i++) {
        left[i] = view.getInt16(4 * i, true);
        right[i] = view.getInt16(4 * i + 2, true);
      }
      // the first second is the agent's greeting: loud on the right, silence on the left
      assert.ok(
        rms(right, 0.2, 1.2) > 300,
        `agent greeting on the right (rms ${rms(right, 0.2, 1.2)})`,
      );
      assert.ok(rms(left, 0.2, 1.2) < 30, `you silent on the left (rms ${rms(left, 0.2, 1.2)})`);
      assert.ok(rms(left, 0, frames / 8000) > 100, 'your "goodbye" is on the left');
    });

    it('fails with exit code 1 when the number is unknown', async () => {
      const r = await fleet.call(['+15550000000']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /call failed: the call failed: 404/);
    });
  },
);
