// `voicefleet dev [folder]`: runs the agents of a folder of manifests on this machine, follows
// edits to the folder, shows a live status table, and on Ctrl-C drains calls as a cluster would.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRunDir, removeDevState, writeDevState } from '../local/dev-state.js';
import { watchFolder } from '../local/folder-watch.js';
import { LocalFleet } from '../local/local-fleet.js';
import { loadManifestFolder } from '../local/manifest-folder.js';
import { renderStatusTable } from '../local/status-table.js';
import { EXAMPLES_DIR } from '../repository.js';
import { StatusScreen } from './status-screen.js';
import { UsageError } from './usage-error.js';

const USAGE = `voicefleet dev [folder] [--sip-port 5060] [--drain-timeout seconds] [--run-dir dir]
  --drain-timeout  on Ctrl-C, end calls still up after this many seconds (default: each
                   agent's drainTimeoutSeconds); a second Ctrl-C ends them at once`;

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

interface DevOptions {
  folder: string;
  sipPort: number;
  runDir: string;
  drainCapSeconds: number | undefined;
}

function parseDevArgs(argv: string[]): DevOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'sip-port': { type: 'string', default: '5060' },
      'drain-timeout': { type: 'string' },
      'run-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 1) throw new UsageError('dev takes at most one folder');
  const sipPort = Number(values['sip-port']);
  if (!Number.isInteger(sipPort) || sipPort < 1 || sipPort > 65535)
    throw new UsageError('--sip-port must be a port number');
  const cap = values['drain-timeout'];
  const drainCapSeconds = cap === undefined ? undefined : Number(cap);
  if (drainCapSeconds !== undefined && !(Number.isInteger(drainCapSeconds) && drainCapSeconds >= 0))
    throw new UsageError('--drain-timeout must be a whole number of seconds');
  return {
    folder: resolve(positionals[0] ?? EXAMPLES_DIR),
    sipPort,
    runDir: values['run-dir'] ?? defaultRunDir(),
    drainCapSeconds,
  };
}

/** Resolves on the first SIGINT/SIGTERM; `again` runs on the next one. */
function stopSignal(again: () => void): Promise<void> {
  return new Promise((done) => {
    const first = () => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      done();
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

export async function runDevCommand(argv: string[]): Promise<number> {
  const options = parseDevArgs(argv);
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { folder, runDir, sipPort, drainCapSeconds } = options;
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    console.error(
      `voicefleet dev needs these Debian packages: ${missing.join(' ')}\n` +
        `install them with: sudo bash scripts/ensure-system-packages.sh (or run: npm run dev)`,
    );
    return 1;
  }

  await mkdir(runDir, { recursive: true });
  const screen = new StatusScreen(process.stdout);
  const fleet = new LocalFleet({
    runDir,
    sipPort,
    ...(drainCapSeconds !== undefined ? { drainCapSeconds } : {}),
    onLog: (line) => screen.log(line),
  });
  const stop = new AbortController();
  const saveState = () =>
    writeDevState(runDir, {
      pid: process.pid,
      edges: fleet.edgeAddresses,
      nodes: fleet.mediaNodes,
    });

  let last: Awaited<ReturnType<LocalFleet['apply']>> | undefined;
  /** Reads the folder; says "reloaded" only when the running fleet changed. */
  const load = async (): Promise<void> => {
    const manifests = await loadManifestFolder(folder);
    for (const p of manifests.problems) screen.log(`! ${p}`);
    const outcome = await fleet.apply(manifests);
    await saveState();
    if (outcome === 'invalid')
      screen.log('voicefleet dev: the running fleet keeps the last valid manifests');
    else if (outcome === 'applied' && last !== undefined)
      screen.log('voicefleet dev: manifests reloaded');
    else if (outcome === 'unchanged' && last === 'invalid')
      screen.log('voicefleet dev: manifests valid again; the running fleet is unchanged');
    last = outcome;
  };
  // Not queued behind one another: a reload waits for its new media nodes to start, and an invalid
  // edit made meanwhile is reported at once (the fleet's reconcile passes are serialized anyway).
  // A failed load is shown and the fleet runs on.
  const reload = (): Promise<void> =>
    load().catch((error: unknown) =>
      screen.log(`voicefleet dev: reading the manifests failed: ${messageOf(error)}`),
    );

  screen.log(`voicefleet dev: running ${folder} (run dir ${runDir}); Ctrl-C stops`);
  await reload();
  await watchFolder(folder, {
    onChange: () => void reload(),
    onError: (error) =>
      screen.log(`voicefleet dev: cannot follow edits to ${folder}: ${error.message}`),
    signal: stop.signal,
  });

  const render = async (): Promise<void> => {
    screen.show([...renderStatusTable(await fleet.snapshot()), '', 'Ctrl-C stops the fleet']);
    await saveState();
  };
  const tick = (): Promise<void> =>
    render().catch((error: unknown) =>
      screen.log(`voicefleet dev: updating the status failed: ${messageOf(error)}`),
    );
  const ticker = setInterval(() => void tick(), 1000);
  await tick();

  await stopSignal(() => {
    screen.log('voicefleet dev: stopping now; calls still up are cut');
    void fleet.stopNow();
  });
  clearInterval(ticker);
  stop.abort();
  screen.done();
  const { activeCalls, deadlineSeconds } = fleet.drainOutlook;
  console.log(
    activeCalls === 0
      ? 'voicefleet dev: no calls up; stopping the fleet'
      : `voicefleet dev: draining ${activeCalls} call(s): they may go on for up to ${deadlineSeconds} s, then the agent hangs up (Ctrl-C again ends them now)`,
  );
  await fleet.stop();
  await removeDevState(runDir);
  console.log('voicefleet dev: stopped');
  return 0;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
