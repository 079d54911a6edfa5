// Editing the manifests of a running `voicefleet dev`: every way of saving a file is noticed (in
// place, `sed -i`, an editor's write-and-rename), "reloaded" is said only when something was, and
// an invalid edit is reported at once while the fleet keeps serving the last valid version.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { devFleetSkipReason, startDevFleet, type DevFleet } from './harness/dev-fleet.js';
import { waitFor } from '@voicefleet/devtools/processes';

const RELOADED = 'voicefleet dev: manifests reloaded';
const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

describe(
  'voicefleet dev follows manifest edits',
  { skip: devFleetSkipReason(), timeout: 300_000 },
  () => {
    let fleet: DevFleet;
    let file: string;

    before(async () => {
      fleet = await startDevFleet({
        examples: ['front-desk.yaml', 'carrier-trunk.yaml'],
        readyNodes: 1,
      });
      file = join(fleet.folder, 'front-desk.yaml');
    });
    after(() => fleet?.remove());

    const setGreeting = (greeting: string): Promise<void> => {
      const sed = spawnSync('sed', [
        '-i',
        `s/^    greeting: .*/    greeting: '${greeting}'/`,
        file,
      ]);
      assert.equal(sed.status, 0);
      return Promise.resolve();
    };

    /** Saves with `save`, then waits for one more "reloaded" line and a call greeting with `greeting`. */
    async function expectReloadHeard(
      save: () => Promise<unknown>,
      greeting: string,
    ): Promise<void> {
      const before = count(await fleet.log(), RELOADED);
      await save();
      // a reload is said once the new version's media node serves, which includes its start-up
      await waitFor(async () => count(await fleet.log(), RELOADED) === before + 1, {
        timeoutMs: 30_000,
        message: `"${RELOADED}" after the save`,
      });
      await waitFor(async () => (await fleet.call(['+14155550100'])).agentLines[0] === greeting, {
        timeoutMs: 60_000,
        intervalMs: 500,
        message: `a call greeted with "${greeting}"`,
      });
    }

    it('reloads on every save by sed -i, an editor rename and a plain write, and the next call hears it', async () => {
      await expectReloadHeard(() => setGreeting('Hello from sed one.'), 'Hello from sed one.');
      await expectReloadHeard(() => setGreeting('Hello from sed two.'), 'Hello from sed two.');
      await expectReloadHeard(async () => {
        const text = (await readFile(file, 'utf8')).replace(
          'Hello from sed two.',
          'Hello from the editor.',
        );
        await writeFile(join(fleet.folder, '.front-desk.yaml.swx'), text);
        await rename(join(fleet.folder, '.front-desk.yaml.swx'), file);
      }, 'Hello from the editor.');
      await expectReloadHeard(async () => {
        const text = (await readFile(file, 'utf8')).replace(
          'Hello from the editor.',
          'Hello in place.',
        );
        await writeFile(file, text);
      }, 'Hello in place.');
    });

    it('reports an invalid edit at once without saying "reloaded", and keeps serving the last valid version', async () => {
      const valid = await readFile(file, 'utf8');
      const reloads = count(await fleet.log(), RELOADED);
      const savedAt = Date.now();
      assert.equal(
        spawnSync('sed', ['-i', "s/numbers: \\['+14155550100'\\]/numbers: ['4155550100']/", file])
          .status,
        0,
      );
      const line = await waitFor(
        async () => (await fleet.log()).split('\n').find((l) => /spec\.numbers\[0\]/.test(l)),
        { timeoutMs: 5_000, message: 'the invalid number reported' },
      );
      assert.ok(Date.now() - savedAt < 3_000, 'reported within a moment of the save');
      assert.match(line, /front-desk\.yaml \(VoiceAgent front-desk\): spec\.numbers\[0\]/);
      await waitFor(async () =>
        (await fleet.log()).includes('the running fleet keeps the last valid manifests'),
      );
      assert.equal(count(await fleet.log(), RELOADED), reloads, 'an invalid edit reloads nothing');
      const r = await fleet.call(['+14155550100']);
      assert.equal(r.code, 0, r.stdout);

      await writeFile(file, valid);
      await waitFor(async () =>
        (await fleet.log()).includes('manifests valid again; the running fleet is unchanged'),
      );
      assert.equal(
        count(await fleet.log(), RELOADED),
        reloads,
        'undoing the invalid edit reloads nothing either',
      );
    });
  },
);
