// `voicefleet dev [folder]`: runs the agents of a folder of manifests on this machine, follows
// edits to the folder, shows a live status table, and stops everything cleanly on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRunDir, removeDevState, writeDevState } from '../local/dev-state.js';
import { watchFolder } from '../local/folder-watch.js';
import { LocalFleet } from '../local/local-fleet.js';
import { loadManifestFolder } from '../local/manifest-folder.js';
import { renderStatusTable } from '../local/status-table.js';
import { UsageError } from './usage-error.js';

const EXAMPLES = new URL('../../../crds/examples/', import.meta.url).pathname;

const REQUIRED = [
  { command: 'kamailio', args: ['-v'], package: 'kamailio' },
  { command: 'espeak-ng', args: ['--version'], package: 'espeak-ng' },
  { command: 'sox', args: ['--version'], package: 'sox' },
  {
    command: '/usr/bin/python3',
    args: ['-c', 'import pocketsphinx'],
    package: 'python3-pocketsphinx',
  },
];

function missingPrerequisites(): string[] {
  return REQUIRED.filter((r) => spawnSync(r.command, r.args, { stdio: 'ignore' }).status !== 0).map(
    (r) => r.package,
  );
}

export async function runDevCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'sip-port': { type: 'string', default: '5060' },
      'run-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('voicefleet dev [folder] [--sip-port 5060] [--run-dir dir]');
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('dev takes at most one folder');
  const folder = resolve(positionals[0] ?? EXAMPLES);
  const sipPort = Number(values['sip-port']);
  if (!Number.isInteger(sipPort) || sipPort < 1 || sipPort > 65535)
    throw new UsageError('--sip-port must be a port number');
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    console.error(
      `voicefleet dev needs these Debian packages: ${missing.join(' ')}\n` +
        `install them with: sudo bash scripts/ensure-system-packages.sh (or run: npm run dev)`,
    );
    return 1;
  }

  const runDir = values['run-dir'] ?? defaultRunDir();
  await mkdir(runDir, { recursive: true });
  const interactive = process.stdout.isTTY;
  const fleet = new LocalFleet({ runDir, sipPort, onLog: (line) => console.log(line) });
  const stop = new AbortController();
  const saveState = () =>
    writeDevState(runDir, {
      pid: process.pid,
      edges: fleet.edgeAddresses,
      nodes: fleet.mediaNodes,
    });

  const load = async (): Promise<void> => {
    const manifests = await loadManifestFolder(folder);
    for (const p of manifests.problems) console.error(`! ${p}`);
    await fleet.apply(manifests);
    await saveState();
  };

  console.log(`voicefleet dev: running ${folder} (run dir ${runDir}); Ctrl-C stops`);
  await load();
  watchFolder(
    folder,
    () => void load().then(() => console.log('voicefleet dev: manifests reloaded')),
    stop.signal,
  );

  let shown = '';
  const render = async (): Promise<void> => {
    const text = renderStatusTable(await fleet.snapshot()).join('\n');
    await saveState();
    if (interactive) process.stdout.write(`\x1b[2J\x1b[H${text}\n\nCtrl-C stops the fleet\n`);
    else if (text !== shown) console.log(`\n${text}`);
    shown = text;
  };
  const ticker = setInterval(() => void render(), 1000);
  await render();

  await new Promise<void>((done) => {
    const finish = () => done();
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });
  clearInterval(ticker);
  stop.abort();
  console.log('\nvoicefleet dev: draining calls and stopping the fleet');
  await fleet.stop();
  await removeDevState(runDir);
  console.log('voicefleet dev: stopped');
  return 0;
}
