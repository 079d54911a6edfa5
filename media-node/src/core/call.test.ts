import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { Call, callOutcome, TRANSFER_FAILED_PROMPT, type CallOptions } from './call.js';
import { CallEventBus, type CallEvent } from './call-events.js';
import type {
  AgentAction,
  AgentPort,
  DialogPort,
  MediaPort,
  MediaReoffer,
  ReinviteAnswer,
  TransferResult,
} from './call-ports.js';
import { createJsonLogger } from '../telemetry/log.js';
import { createNodeMetrics } from '../telemetry/metrics.js';

class FakeParts {
  readonly bus = new EventEmitter();
  byes = 0;
  refers: Array<{ target: string; timeoutMs: number }> = [];
  referResult: TransferResult = { outcome: 'completed', sipStatus: 200 };
  said: string[] = [];
  queued = 0;
  direction = 'sendrecv';
  agentStarted = false;
  agentStopped = false;
  mediaClosed = false;
  audioIntoAgent = 0;
  digits: string[] = [];
  reinvite: ((offer: string) => ReinviteAnswer) | undefined;
  offerRequest: (() => MediaReoffer) | undefined;

  dialog: DialogPort = {
    callId: 'c1',
    bye: () => {
      this.byes++;
      return Promise.resolve();
    },
    refer: (target, timeoutMs) => {
      this.refers.push({ target, timeoutMs });
      return Promise.resolve(this.referResult);
    },
    onEnded: (l) => this.bus.on('ended', l),
    onReinvite: (h) => {
      this.reinvite = h;
    },
    onOfferRequest: (h) => {
      this.offerRequest = h;
    },
  };
  media: MediaPort = {
    sink: {
      write: () => undefined,
      clear: () => undefined,
      onFirstFrameSent: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
    },
    onAudio: (l) => this.bus.on('audio', l),
    onDtmf: (l) => this.bus.on('dtmf', l),
    setDirection: (d) => {
      this.direction = d;
    },
    onTimeout: (l) => this.bus.on('timeout', l),
    queuedFrames: () => this.queued,
    stats: () => ({ packetsSent: 10, packetsReceived: 9, packetsLost: 0, jitterMs: 1 }),
    close: () => {
      this.mediaClosed = true;
    },
  };
  agent: AgentPort = {
    start: () => {
      this.agentStarted = true;
    },
    pushAudio: () => {
      this.audioIntoAgent++;
    },
    pushDtmf: (d) => this.digits.push(d),
    say: (text) => this.said.push(text),
    stop: () => {
      this.agentStopped = true;
    },
    onTranscript: (l) => this.bus.on('transcript', l),
    onTurn: (l) => this.bus.on('turn', l),
    onAction: (l) => this.bus.on('action', l),
    onBargeIn: (l) => this.bus.on('barge', l),
    onBargeInResumed: (l) => this.bus.on('barge-resumed', l),
    onPrepared: (l) => this.bus.on('prepared', l),
    onProviderError: (l) => this.bus.on('perr', l),
  };
}

function makeCall(parts: FakeParts, extra: Partial<CallOptions> = {}) {
  const events = new CallEventBus();
  const seen: CallEvent[] = [];
  events.on('event', (e) => seen.push(e));
  const tracer = trace.getTracer('test');
  const call = new Call({
    callId: 'c1',
    direction: 'inbound',
    dialog: parts.dialog,
    media: parts.media,
    agent: parts.agent,
    events,
    metrics: createNodeMetrics({ defaultMetrics: false }),
    log: createJsonLogger({ write: () => undefined }),
    tracer,
    callSpan: tracer.startSpan('call'),
    reinviteAnswer: (offer) =>
      offer.includes('sendonly')
        ? { sdp: 'answer-recvonly', direction: 'recvonly' }
        : { sdp: 'answer', direction: 'sendrecv' },
    transfer: { target: '+14155550199', method: 'refer' },
    playoutWaitMs: 2000,
    ...extra,
  });
  return { call, seen };
}

void test('call: caller audio and DTMF reach the agent; remote BYE tears everything down once', () => {
  const parts = new FakeParts();
  const { call, seen } = makeCall(parts);
  call.start();
  assert.ok(parts.agentStarted);
  parts.bus.emit('audio', new Int16Array(160));
  parts.bus.emit('dtmf', '5');
  parts.bus.emit('transcript', 'caller', 'hello');
  assert.equal(parts.audioIntoAgent, 1);
  assert.deepEqual(parts.digits, ['5']);
  parts.bus.emit('ended', 'remote-bye');
  parts.bus.emit('ended', 'remote-bye');
  assert.ok(parts.agentStopped && parts.mediaClosed && call.ended);
  assert.equal(parts.byes, 0, 'no BYE back to a BYE');
  assert.deepEqual(
    seen.map((e) => e.type),
    ['dtmf', 'transcript', 'call.ended'],
  );
  assert.equal(seen.filter((e) => e.type === 'call.ended').length, 1);
});

void test('call: replies prepared during a pause are counted as released or dropped', async () => {
  const parts = new FakeParts();
  const metrics = createNodeMetrics({ defaultMetrics: false });
  const { call } = makeCall(parts, { metrics });
  call.start();
  parts.bus.emit('prepared', 'dropped');
  parts.bus.emit('prepared', 'released');
  parts.bus.emit('prepared', 'released');
  const { values } = await metrics.preparedReplies.get();
  const count = (outcome: string) => values.find((v) => v.labels.outcome === outcome)?.value;
  assert.equal(count('released'), 2);
  assert.equal(count('dropped'), 1);
});

void test('call outcome: calls the node ended at the drain deadline or at shutdown are not counted as completed', () => {
  const cases = [
    { started: false, reason: 'remote-bye', outcome: 'cancelled' },
    { started: false, reason: 'no-ack', outcome: 'failed' },
    { started: true, reason: 'remote-bye', outcome: 'completed' },
    { started: true, reason: 'agent-hangup', outcome: 'completed' },
    { started: true, reason: 'transferred', outcome: 'transferred' },
    { started: true, reason: 'no-ack', outcome: 'failed' },
    { started: true, reason: 'error', outcome: 'failed' },
    { started: true, reason: 'drain-deadline', outcome: 'drain-deadline' },
    { started: true, reason: 'shutdown', outcome: 'shutdown' },
  ] as const;
  for (const c of cases)
    assert.equal(callOutcome(c.started, c.reason), c.outcome, JSON.stringify(c));
});

void test('call: a call ended at the drain deadline gets a BYE and is counted as drain-deadline', async () => {
  const parts = new FakeParts();
  const metrics = createNodeMetrics({ defaultMetrics: false });
  const { call, seen } = makeCall(parts, { metrics });
  call.start();
  await call.hangup('drain-deadline');
  assert.equal(parts.byes, 1);
  const { values } = await metrics.callsTotal.get();
  assert.deepEqual(
    values.map((v) => [v.labels.outcome, v.value]),
    [['drain-deadline', 1]],
  );
  assert.deepEqual(
    seen.filter((e) => e.type === 'call.ended').map((e) => e.type === 'call.ended' && e.reason),
    ['drain-deadline'],
  );
});

void test('call: barge-ins are counted as committed or resumed, and each resume is an event', async () => {
  const parts = new FakeParts();
  const metrics = createNodeMetrics({ defaultMetrics: false });
  const { call, seen } = makeCall(parts, { metrics });
  call.start();
  parts.bus.emit('barge-resumed', 240);
  parts.bus.emit('barge-resumed', 300);
  parts.bus.emit('barge', 21);
  const { values } = await metrics.bargeIns.get();
  const count = (outcome: string) => values.find((v) => v.labels.outcome === outcome)?.value;
  assert.equal(count('resumed'), 2);
  assert.equal(count('committed'), 1);
  const resumed = seen.filter((e) => e.type === 'barge-in.resumed');
  assert.deepEqual(
    resumed.map((e) => e.type === 'barge-in.resumed' && e.pausedMs),
    [240, 300],
  );
});

void test('call: agent hangup waits for the goodbye to play out, then sends BYE', async () => {
  const parts = new FakeParts();
  const { call } = makeCall(parts);
  call.start();
  parts.queued = 5;
  const ended = new Promise((resolve) => call.once('ended', resolve));
  parts.bus.emit('action', { type: 'hangup' } satisfies AgentAction);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(parts.byes, 0, 'still playing the goodbye');
  parts.queued = 0;
  assert.equal(await ended, 'agent-hangup');
  assert.equal(parts.byes, 1);
});

void test('call: a transfer REFERs to the configured target and ends once the NOTIFY says the target answered', async () => {
  const parts = new FakeParts();
  const { call, seen } = makeCall(parts);
  call.start();
  const ended = new Promise((resolve) => call.once('ended', resolve));
  parts.bus.emit('action', { type: 'transfer' } satisfies AgentAction);
  assert.equal(await ended, 'transferred');
  assert.deepEqual(parts.refers, [{ target: '+14155550199', timeoutMs: 30_000 }]);
  const transferred = seen.find((e) => e.type === 'call.transferred');
  assert.deepEqual(transferred && { ...transferred, at: undefined }, {
    type: 'call.transferred',
    callId: 'c1',
    method: 'refer',
    target: '+*******0199',
    outcome: 'completed',
    sipStatus: 200,
    at: undefined,
  });
  assert.deepEqual(parts.said, []);
});

for (const result of [
  { outcome: 'rejected', sipStatus: 603 },
  { outcome: 'failed', sipStatus: 486 },
  { outcome: 'timeout' },
] satisfies TransferResult[]) {
  void test(`call: a transfer that ends ${result.outcome} keeps the caller with the agent, who says so`, async () => {
    const parts = new FakeParts();
    parts.referResult = result;
    const { call, seen } = makeCall(parts, {
      transfer: { target: '+14155550199', method: 'refer', timeoutSeconds: 12 },
    });
    call.start();
    parts.bus.emit('action', { type: 'transfer' } satisfies AgentAction);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(parts.refers, [{ target: '+14155550199', timeoutMs: 12_000 }]);
    assert.equal(call.ended, false);
    assert.equal(parts.byes, 0);
    assert.deepEqual(parts.said, [TRANSFER_FAILED_PROMPT]);
    const transferred = seen.filter((e) => e.type === 'call.transferred');
    assert.equal(transferred.length, 1);
    assert.equal(
      transferred[0]?.type === 'call.transferred' && transferred[0].outcome,
      result.outcome,
    );
    assert.equal(
      transferred[0]?.type === 'call.transferred' && transferred[0].sipStatus,
      'sipStatus' in result ? result.sipStatus : undefined,
    );
  });
}

void test('call: hold pauses the media timeout; silence while active ends the call', async () => {
  const parts = new FakeParts();
  const { call, seen } = makeCall(parts);
  call.start();
  assert.deepEqual(parts.reinvite?.('a=sendonly'), {
    sdp: 'answer-recvonly',
    direction: 'recvonly',
  });
  assert.equal(parts.direction, 'recvonly');
  parts.bus.emit('timeout');
  assert.equal(call.ended, false, 'held calls may be silent');
  parts.reinvite?.('a=sendrecv');
  const ended = new Promise((resolve) => call.once('ended', resolve));
  parts.bus.emit('timeout');
  assert.equal(await ended, 'media-timeout');
  assert.equal(parts.byes, 1);
  assert.deepEqual(
    seen.filter((e) => e.type === 'hold').map((e) => (e.type === 'hold' ? e.held : null)),
    [true, false],
  );
});

void test('call: the call.ended event and the quality histograms say what the caller heard', async () => {
  const parts = new FakeParts();
  const metrics = createNodeMetrics({ defaultMetrics: false });
  const { call, seen } = makeCall(parts, { metrics });
  call.start();
  parts.bus.emit('ended', 'remote-bye');
  const ended = seen.find((e) => e.type === 'call.ended');
  assert.ok(ended?.type === 'call.ended');
  // The fake session received 9 packets, lost none, 1 ms of jitter, no RTCP from the far end.
  assert.deepEqual(
    { ...ended.quality, rFactor: undefined, mos: undefined },
    { jitterMs: 1, lossRatio: 0, oneWayDelayMs: 60, rFactor: undefined, mos: undefined },
  );
  assert.ok(ended.quality!.mos > 4.3);
  const text = await metrics.registry.metrics();
  assert.match(text, /voicefleet_call_mos_count 1/);
  assert.match(text, /voicefleet_call_packet_loss_ratio_bucket\{le="0"\} 1/);
  assert.match(text, /voicefleet_call_rtt_seconds_count 0/);
});
