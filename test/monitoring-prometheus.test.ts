// The SLO rules as the operator applies them, evaluated by a real Prometheus that scrapes a real
// media node (bin/media-node) while a caller speaks to it: the rules read the series the node
// exports (names, `le` boundaries, the namespace/agent/region labels), the very first call and
// turn of a fresh node count, and the error ratios match what the node itself measured for that
// call (its setup time and the turn's latency against the agent's thresholds).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseManifests } from '@voicefleet/api';
import { waitFor } from '@voicefleet/devtools/processes';
import {
  DEFAULT_MONITORING_OPTIONS,
  renderAgentMonitoring,
} from '../operator/src/monitoring/index.js';
import { renderPcm8k } from './audio/speech.js';
import {
  prometheusSkipReason,
  startPrometheus,
  type RunningPrometheus,
} from './harness/prometheus.js';
import { TestCaller, loudness } from './media-node-caller.js';
import { startMediaNode, type RunningNode } from './media-node-process.js';

const root = new URL('..', import.meta.url).pathname;
// The example front desk, as the media node of startMediaNode serves it (default/front-desk, local).
const agent = {
  ...parseManifests(readFileSync(`${root}crds/examples/front-desk.yaml`, 'utf8')).voiceAgents[0]!,
};
agent.metadata = { ...agent.metadata, namespace: 'default' };
const slo = agent.spec.slo;
const AGENT = 'namespace="default",agent="front-desk"';

/** The rule file of the agent's PrometheusRule, as `voicefleet render monitoring` writes it. */
function ruleFile(): string {
  const file = renderAgentMonitoring([agent], DEFAULT_MONITORING_OPTIONS).find(
    (f) => f.path === 'rules/default-front-desk.rules.yaml',
  );
  assert.ok(file, 'the rendered rule file');
  return file.text;
}

describe(
  'SLO rules on a real Prometheus scraping a real media node',
  { skip: prometheusSkipReason(), timeout: 180_000 },
  () => {
    let node: RunningNode;
    let prom: RunningPrometheus;
    let caller: TestCaller | undefined;

    before(async () => {
      node = await startMediaNode();
      prom = await startPrometheus({
        targets: [`127.0.0.1:${node.metricsPort}`],
        rules: { 'front-desk.rules.yaml': ruleFile() },
      });
    });
    after(async () => {
      caller?.close();
      await prom?.stop();
      await node?.stop();
    });

    test('the first call and turn of a fresh node show in the SLI, error ratio and budget series', async () => {
      // Two scrapes of the idle node first: its series exist at zero before the call.
      await waitFor(
        async () =>
          ((await prom.query(`count_over_time(up{job="voicefleet"}[1m])`))[0]?.value ?? 0) >= 2,
        { timeoutMs: 20_000, message: 'two scrapes of the idle node' },
      );
      await waitFor(async () => (await prom.query('up == 1')).length === 1, {
        message: 'the node is up',
      });

      const question = await renderPcm8k(node.dir, 'question', 'what time do you open on saturday');
      caller = await TestCaller.create(node.sipPort);
      const answer = await caller.invite();
      assert.equal(answer.status, 200);
      caller.startMedia();
      await waitFor(() => caller!.heard.some((p) => loudness(p) > 150), { message: 'greeting' });
      await waitFor(() => performance.now() - (caller!.heard.at(-1)?.atMs ?? 0) > 600, {
        timeoutMs: 15_000,
        message: 'the greeting to end',
      });
      await caller.speak(question);
      const turn = await waitFor(
        () => node.events.find((e) => e.type === 'turn' && e.callId === caller!.callId),
        { timeoutMs: 30_000, message: 'the turn' },
      );
      await caller.stopMedia();
      assert.equal((await caller.bye()).status, 200);
      const started = node.events.find(
        (e) => e.type === 'call.started' && e.callId === caller!.callId,
      );
      const setupMs = started?.setupMs as number;
      const turnMs = (turn.timings as { firstRtpMs: number }).firstRtpMs;
      assert.equal(typeof setupMs, 'number');
      assert.equal(typeof turnMs, 'number');

      const series = async (name: string, sloName: string, window: string) =>
        prom.query(`${name}{${AGENT},slo="${sloName}",window="${window}"}`);
      for (const [sloName, measuredMs, thresholdMs] of [
        ['call-setup', setupMs, slo.callSetupMs],
        ['turn-latency', turnMs, slo.turnLatencyMs],
      ] as const) {
        const events = await waitFor(
          async () => {
            const s = await series('voicefleet_slo:events:rate', sloName, '5m');
            return s.length === 1 && s[0]!.value > 0 ? s[0]! : undefined;
          },
          { timeoutMs: 30_000, message: `${sloName}: events counted over 5m` },
        );
        assert.deepEqual(
          { ...events.metric },
          {
            __name__: 'voicefleet_slo:events:rate',
            namespace: 'default',
            agent: 'front-desk',
            region: 'local',
            slo: sloName,
            window: '5m',
          },
        );
        // One event: the ratio is 1 when the node measured it over the threshold, else 0.
        const expected = measuredMs > thresholdMs ? 1 : 0;
        const ratio = await series('voicefleet_slo:error_ratio', sloName, '5m');
        assert.equal(ratio.length, 1, `${sloName} error ratio`);
        assert.ok(
          Math.abs(ratio[0]!.value - expected) < 1e-9,
          `${sloName}: ${measuredMs} ms against ${thresholdMs} ms reads ${ratio[0]!.value}`,
        );
        const burn = await series('voicefleet_slo:burn_rate', sloName, '1h');
        assert.equal(burn.length, 1, `${sloName} burn rate over 1h`);
        const budget = await waitFor(
          async () => {
            const s = await prom.query(
              `voicefleet_slo:error_budget_remaining{${AGENT},slo="${sloName}"}`,
            );
            return s.length === 1 ? s[0]! : undefined;
          },
          { timeoutMs: 20_000, message: `${sloName}: budget remaining` },
        );
        assert.equal(budget.metric.region, 'local');
        assert.ok(Number.isFinite(budget.value), `${sloName}: budget ${budget.value}`);
      }
    });
  },
);
