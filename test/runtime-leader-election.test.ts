import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { LeaderElector } from '../operator/src/kube/leader-election.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { spawnProcess, waitForLogLine, waitFor } from '@voicefleet/devtools/processes';

// Short timings so takeovers happen within seconds; the ordering rules are the production ones.
const LEASE_MS = 3_000;
const RENEW_MS = 2_000;
const RETRY_MS = 250;

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  running: Promise<void>;
  /** Aborted signals of past terms, latest last. */
  terms: AbortSignal[];
}

describe('leader election on a real API server', { skip: controlPlaneSkipReason() }, () => {
  let plane: ControlPlane;
  const candidates: Candidate[] = [];
  let leadersNow = 0;
  let maxLeaders = 0;

  function candidate(lease: string, identity: string): Candidate {
    const stop = new AbortController();
    const terms: AbortSignal[] = [];
    const elector = new LeaderElector({
      kubeConfig: plane.kubeConfig,
      namespace: 'default',
      name: lease,
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_MS,
      retryPeriodMs: RETRY_MS,
      onStartedLeading: async (signal) => {
        terms.push(signal);
        leadersNow++;
        maxLeaders = Math.max(maxLeaders, leadersNow);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        leadersNow--;
      },
    });
    const c = { elector, stop, running: elector.run(stop.signal), terms };
    candidates.push(c);
    return c;
  }

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
  });
  after(async () => {
    for (const c of candidates) c.stop.abort();
    await Promise.all(candidates.map((c) => c.running));
    await plane?.stop();
  });

  test('one of two candidates leads; when it shuts down it releases and the other takes over at once', async () => {
    const a = candidate('released', 'a');
    await waitFor(() => a.elector.isLeader(), { timeoutMs: 10_000, message: 'a to lead' });
    const b = candidate('released', 'b');
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 500));
    assert.equal(b.elector.isLeader(), false, 'b waits while a renews');
    assert.equal(maxLeaders, 1);

    const stoppedAt = Date.now();
    a.stop.abort();
    await a.running;
    assert.equal(a.terms.at(-1)?.aborted, true, "a's work was told to stop");
    await waitFor(() => b.elector.isLeader(), {
      timeoutMs: LEASE_MS * 3,
      message: 'b to take over',
    });
    // Released, not expired: b needs no lease duration to take over.
    assert.ok(Date.now() - stoppedAt < LEASE_MS, `took over after ${Date.now() - stoppedAt} ms`);
    assert.equal(maxLeaders, 1);
    b.stop.abort();
    await b.running;
  });

  test('a leader killed without releasing is replaced once its lease expires', async () => {
    const child = spawnProcess({
      name: 'lease-candidate',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(import.meta.dirname, 'harness/lease-candidate.ts'),
        plane.kubeconfigPath,
        'default',
        'killed',
        'doomed',
        String(LEASE_MS),
        String(RENEW_MS),
        String(RETRY_MS),
      ],
      logPath: join(plane.dir, 'lease-candidate.log'),
    });
    await waitForLogLine(child, /^leading$/, { timeoutMs: 30_000 });
    const b = candidate('killed', 'survivor');
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 4));
    assert.equal(b.elector.isLeader(), false, 'the live leader keeps its lease');

    const killedAt = Date.now();
    await child.stop({ signal: 'SIGKILL' });
    await waitFor(() => b.elector.isLeader(), {
      timeoutMs: LEASE_MS * 4,
      message: 'survivor to take over',
    });
    const waited = Date.now() - killedAt;
    assert.ok(
      waited >= LEASE_MS - RETRY_MS,
      `took over after ${waited} ms, before the lease expired`,
    );
    b.stop.abort();
    await b.running;
  });

  test('a leader that cannot renew within the deadline stops leading, and leads again later', async () => {
    const a = candidate('deadline', 'lonely');
    await waitFor(() => a.elector.isLeader(), { timeoutMs: 10_000, message: 'lonely to lead' });
    const term = a.terms.at(-1)!;
    // Down until the term ends: a restart quicker than the renew deadline rightly keeps the lead.
    await plane.stopApiServer();
    const downAt = Date.now();
    await waitFor(() => term.aborted, { timeoutMs: RENEW_MS + 3_000, message: 'the term to end' });
    // The point of the renew deadline: stop before the lease can expire and another take over.
    const ledFor = Date.now() - downAt;
    assert.ok(ledFor < LEASE_MS, `led ${ledFor} ms into the outage, past the lease duration`);
    await waitFor(() => !a.elector.isLeader(), { timeoutMs: 1_000, message: 'isLeader() false' });
    await plane.startApiServer();
    await waitFor(() => a.elector.isLeader() && a.terms.length === 2, {
      timeoutMs: 15_000,
      message: 'lonely to lead again',
    });
    a.stop.abort();
    await a.running;
  });

  test('a leader that finds another holder in the lease stops leading at once', async () => {
    const a = candidate('stolen', 'victim');
    await waitFor(() => a.elector.isLeader(), { timeoutMs: 10_000, message: 'victim to lead' });
    const leases = plane.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await leases.readNamespacedLease({ name: 'stolen', namespace: 'default' });
    await leases.replaceNamespacedLease({
      name: 'stolen',
      namespace: 'default',
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } },
    });
    const term = a.terms.at(-1)!;
    // Well before the renew deadline (2 s): the next renewal round sees the other holder.
    await waitFor(() => term.aborted, {
      timeoutMs: RETRY_MS * 4,
      message: 'victim to step down',
    });
    await waitFor(() => !a.elector.isLeader(), { timeoutMs: 1_000, message: 'isLeader() false' });
    a.stop.abort();
    await a.running;
  });
});
