// The running local fleet, as `voicefleet call` finds it: a small JSON file in the run directory.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface DevState {
  pid: number;
  /** Each region's edge: callers use `sipUri`, its media nodes `internalSipUri`. */
  edges: { region: string; sipUri: string; internalSipUri?: string }[];
  nodes: {
    id: string;
    poolKey: string;
    httpUrl: string;
    /** Where the node serves GET /metrics, apart from its control port. */
    metricsUrl: string;
    phase: string;
    pid?: number | undefined;
  }[];
}

/** `$VOICEFLEET_DEV_DIR`, else a per-user folder under the system temp dir. */
export function defaultRunDir(): string {
  return process.env.VOICEFLEET_DEV_DIR ?? join(tmpdir(), `voicefleet-dev-${userInfo().uid}`);
}

const stateFile = (runDir: string): string => join(runDir, 'state.json');

let writes = 0;

/**
 * Replaces the state file at once (a new file renamed over it): a `voicefleet call` reading it
 * meanwhile sees the old state or the new one, never an empty or half-written file. Each write has
 * a temporary file of its own, so two that overlap (a status tick and a reload) both land.
 */
export async function writeDevState(runDir: string, state: DevState): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const next = `${stateFile(runDir)}.${process.pid}.${++writes}.next`;
  await writeFile(next, JSON.stringify(state, null, 2));
  await rename(next, stateFile(runDir));
}

export async function readDevState(runDir: string): Promise<DevState | undefined> {
  try {
    const state = JSON.parse(await readFile(stateFile(runDir), 'utf8')) as DevState;
    process.kill(state.pid, 0); // throws when that fleet is gone
    return state;
  } catch {
    return undefined;
  }
}

export async function removeDevState(runDir: string): Promise<void> {
  await rm(stateFile(runDir), { force: true });
}
