// The scaler's load signal: one long-lived `GET /status?watch=1` per media pod. The pod sends its
// status at once, again the moment a call starts or ends, and as a heartbeat every 15 s; the
// tracker keeps the latest per pod and calls `onChange(podKey)` when it changes or is lost. A pod
// whose stream is down has no load here (unknown) until it reconnects. Why a stream and not a
// poll or a per-pod object: docs/autoscaling.md ("The load signal").
import { request, type IncomingMessage } from 'node:http';
import { backoffDelay, withJitter, type BackoffPolicy } from '../runtime/backoff.js';
import type { Logger } from '../runtime/log.js';

export interface PodLoad {
  activeCalls: number;
  capacity: number;
  draining: boolean;
}

export interface PodTarget {
  /** `namespace/name` */
  key: string;
  /** `http://<pod IP>:<port>` of the media node's HTTP server. */
  url: string;
}

export interface PodLoadTrackerOptions {
  onChange(podKey: string): void;
  log: Logger;
  /** No line for this long (the pod sends one at least every 15 s) ends the stream. */
  silenceMs?: number;
  backoff?: BackoffPolicy;
}

const POD_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 5_000 };
const SILENCE_MS = 40_000;

interface Tracked {
  target: PodTarget;
  abort: AbortController;
  load?: PodLoad;
}

/** A status line as the media node writes it, or undefined when it is not one. */
export function parseStatusLine(line: string): PodLoad | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { activeCalls, capacity, draining } = v as Record<string, unknown>;
  if (typeof activeCalls !== 'number' || !Number.isInteger(activeCalls) || activeCalls < 0)
    return undefined;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0) return undefined;
  return { activeCalls, capacity, draining: draining === true };
}

export class PodLoadTracker {
  readonly #pods = new Map<string, Tracked>();
  readonly #o: PodLoadTrackerOptions;

  constructor(options: PodLoadTrackerOptions) {
    this.#o = options;
  }

  /** The latest load of a pod, undefined while its stream is not up. */
  load(podKey: string): PodLoad | undefined {
    return this.#pods.get(podKey)?.load;
  }

  /** Pods with a stream open or being opened. */
  get size(): number {
    return this.#pods.size;
  }

  /** Follows exactly these pods: opens streams to new ones, closes those no longer listed. */
  track(targets: Iterable<PodTarget>): void {
    const wanted = new Map<string, PodTarget>();
    for (const t of targets) wanted.set(t.key, t);
    for (const [key, tracked] of this.#pods) {
      if (wanted.get(key)?.url !== tracked.target.url) this.untrack(key);
    }
    for (const [key, target] of wanted) {
      if (!this.#pods.has(key)) this.#start(target);
    }
  }

  /** Adds or moves one pod (its address changed) without touching the others. */
  trackOne(target: PodTarget): void {
    const tracked = this.#pods.get(target.key);
    if (tracked?.target.url === target.url) return;
    if (tracked !== undefined) this.untrack(target.key);
    this.#start(target);
  }

  untrack(podKey: string): void {
    const tracked = this.#pods.get(podKey);
    if (tracked === undefined) return;
    this.#pods.delete(podKey);
    tracked.abort.abort();
  }

  stop(): void {
    for (const key of [...this.#pods.keys()]) this.untrack(key);
  }

  #start(target: PodTarget): void {
    const tracked: Tracked = { target, abort: new AbortController() };
    this.#pods.set(target.key, tracked);
    void this.#follow(tracked);
  }

  async #follow(tracked: Tracked): Promise<void> {
    const { signal } = tracked.abort;
    let attempt = 0;
    while (!signal.aborted) {
      const gotLines = await this.#stream(tracked).catch((error: unknown) => {
        if (!signal.aborted)
          this.#o.log.debug('pod status stream failed', { pod: tracked.target.key, err: error });
        return false;
      });
      if (tracked.load !== undefined) {
        delete tracked.load;
        if (!signal.aborted) this.#o.onChange(tracked.target.key);
      }
      if (signal.aborted) return;
      attempt = gotLines ? 1 : attempt + 1;
      const delay = withJitter(
        backoffDelay(attempt, this.#o.backoff ?? POD_BACKOFF),
        Math.random(),
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** One stream until it ends; true when it delivered at least one status. */
  #stream(tracked: Tracked): Promise<boolean> {
    const { signal } = tracked.abort;
    return new Promise((resolve, reject) => {
      const req = request(`${tracked.target.url}/status?watch=1`, {
        agent: false,
        signal,
        timeout: this.#o.silenceMs ?? SILENCE_MS,
      });
      req.on('timeout', () => req.destroy(new Error('pod status stream went silent')));
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET /status?watch=1 answered ${res.statusCode}`));
          return;
        }
        let got = false;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const load = parseStatusLine(buffer.slice(0, nl));
            buffer = buffer.slice(nl + 1);
            if (load === undefined || signal.aborted) continue;
            got = true;
            const before = tracked.load;
            tracked.load = load;
            if (!sameLoad(before, load)) this.#o.onChange(tracked.target.key);
          }
        });
        res.on('end', () => resolve(got));
        res.on('error', () => resolve(got));
        res.on('close', () => resolve(got));
      });
      req.end();
    });
  }
}

function sameLoad(a: PodLoad | undefined, b: PodLoad): boolean {
  return (
    a !== undefined &&
    a.activeCalls === b.activeCalls &&
    a.capacity === b.capacity &&
    a.draining === b.draining
  );
}
