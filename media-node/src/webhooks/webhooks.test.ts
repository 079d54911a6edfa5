// Webhook delivery over real HTTP on loopback: signed, at least once per delivery id, retried
// with backoff, nothing lost across a receiver restart, overflow counted.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CallEventBus } from '../core/call-events.js';
import { createJsonLogger } from '../telemetry/log.js';
import { KEY, Receiver } from './webhook-receiver.test-support.js';
import { createWebhookMetrics } from './webhook-metrics.js';
import { Webhooks } from './webhooks.js';

function webhooksFor(port: number, opts: { queueSize?: number; events?: string[] } = {}) {
  const bus = new CallEventBus();
  const registry = new Registry();
  const webhooks = new Webhooks({
    config: {
      queueSize: opts.queueSize ?? 1000,
      webhooks: [
        {
          url: `http://127.0.0.1:${port}/hook`,
          secretEnv: 'HOOK_KEY',
          events: (opts.events ?? [
            'call.started',
            'call.answered',
            'turn',
            'call.transferred',
            'call.ended',
          ]) as ['call.started'],
        },
      ],
    },
    env: { HOOK_KEY: KEY },
    events: bus,
    agent: { namespace: 'default', name: 'front-desk' },
    region: 'local',
    metrics: createWebhookMetrics(registry),
    log: createJsonLogger({ level: 'error' }),
    backoff: { initialBackoffMs: 50, maxBackoffMs: 200, timeoutMs: 2000 },
  });
  const metric = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
  return { bus, webhooks, metric };
}

/** One short call: 1 started, 1 answered, 2 turns (greeting, one exchange), 1 ended = 5 events. */
function publishCall(bus: CallEventBus, callId: string): void {
  bus.publish({ type: 'call.ringing', callId, direction: 'inbound' });
  bus.publish({ type: 'call.started', callId, direction: 'inbound', setupMs: 3 });
  bus.publish({ type: 'transcript', callId, role: 'agent', text: 'Hello' });
  bus.publish({ type: 'transcript', callId, role: 'caller', text: 'opening hours' });
  bus.publish({ type: 'turn', callId, timings: { firstRtpMs: 420 } });
  bus.publish({ type: 'transcript', callId, role: 'agent', text: 'Nine to five.' });
  bus.publish({ type: 'call.ended', callId, reason: 'remote-bye' });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhooks', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('a receiver that fails its first three deliveries then gets every event once per delivery id, signed', async () => {
    const receiver = new Receiver(3);
    const port = await receiver.start();
    cleanup.push(() => receiver.stop());
    const { bus, webhooks, metric } = webhooksFor(port);
    cleanup.push(() => webhooks.close());
    publishCall(bus, 'call-a');
    publishCall(bus, 'call-b');
    await until('10 events', () => receiver.accepted.length === 10);
    await webhooks.flush(2000);
    assert.equal(receiver.badSignatures, 0);
    assert.equal(receiver.requests, 13, '3 refused + 10 accepted');
    assert.deepEqual([...receiver.acceptedIds.values()], Array(10).fill(1) as number[]);
    assert.deepEqual(
      receiver.accepted.map((r) => `${r.body.callId} ${r.type}`),
      ['call-a', 'call-b'].flatMap((c) =>
        ['call.started', 'call.answered', 'turn', 'turn', 'call.ended'].map((t) => `${c} ${t}`),
      ),
    );
    const ended = receiver.accepted.find((r) => r.type === 'call.ended')!;
    assert.equal(ended.body.id, ended.id, 'the body carries the delivery id');
    assert.deepEqual((ended.body.data as { turns: unknown }).turns, {
      count: 2,
      firstRtpMs: { p50: 420, p95: 420, max: 420 },
    });
    assert.equal(await metric('voicefleet_webhook_deliveries_total'), 13);
    assert.equal(await metric('voicefleet_webhook_queue_depth'), 0);
  });

  it('a receiver that restarts mid-call loses nothing the queue holds', async () => {
    const receiver = new Receiver();
    const port = await receiver.start();
    const { bus, webhooks } = webhooksFor(port);
    cleanup.push(() => webhooks.close());
    bus.publish({ type: 'call.ringing', callId: 'c', direction: 'inbound' });
    bus.publish({ type: 'call.started', callId: 'c', direction: 'inbound' });
    await until('the first two events', () => receiver.accepted.length === 2);
    await receiver.stop();
    for (let i = 0; i < 20; i++) {
      bus.publish({ type: 'transcript', callId: 'c', role: 'caller', text: `question ${i}` });
      bus.publish({ type: 'transcript', callId: 'c', role: 'agent', text: `answer ${i}` });
    }
    bus.publish({ type: 'call.ended', callId: 'c', reason: 'remote-bye' });
    await new Promise((r) => setTimeout(r, 300)); // a few refused attempts while it is down
    await receiver.start(port);
    cleanup.push(() => receiver.stop());
    await until('all 23 events', () => receiver.accepted.length === 23);
    const turns = receiver.accepted.filter((r) => r.type === 'turn');
    assert.deepEqual(
      turns.map((t) => t.body.data['caller']),
      Array.from({ length: 20 }, (_, i) => `question ${i}`),
      'every turn, in order',
    );
    assert.equal(receiver.accepted.at(-1)?.type, 'call.ended');
  });

  it('counts and drops what does not fit the bounded queue, and delivers what it holds', async () => {
    const receiver = new Receiver();
    const port = await receiver.start();
    await receiver.stop(); // down from the start
    const { bus, webhooks, metric } = webhooksFor(port, { queueSize: 3, events: ['turn'] });
    cleanup.push(() => webhooks.close());
    for (let i = 0; i < 10; i++) {
      bus.publish({ type: 'transcript', callId: 'c', role: 'agent', text: `line ${i}` });
    }
    assert.equal(await metric('voicefleet_webhook_dropped_total'), 7);
    assert.equal(await metric('voicefleet_webhook_queue_depth'), 3);
    await receiver.start(port);
    cleanup.push(() => receiver.stop());
    await until('the 3 queued events', () => receiver.accepted.length === 3);
    assert.deepEqual(
      receiver.accepted.map((r) => r.body.data['agent']),
      ['line 0', 'line 1', 'line 2'],
    );
  });

  it('sends only the event types a webhook asked for', async () => {
    const receiver = new Receiver();
    const port = await receiver.start();
    cleanup.push(() => receiver.stop());
    const { bus, webhooks } = webhooksFor(port, { events: ['call.ended'] });
    cleanup.push(() => webhooks.close());
    publishCall(bus, 'only-ended');
    await until('call.ended', () => receiver.accepted.length === 1);
    await webhooks.flush(1000);
    assert.deepEqual(
      receiver.accepted.map((r) => r.type),
      ['call.ended'],
    );
  });
});
