// `voicefleet render monitoring` as a GitOps user runs it: the files the operator would apply and
// the dashboards, from the example manifests, passing promtool; bad manifests and bad arguments
// refused with the field to fix and nothing written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import type { PrometheusRule } from '../operator/src/monitoring/index.js';

const ROOT = new URL('../', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(join(ROOT, 'bin/voicefleet'), args, { encoding: 'utf8', timeout: 60_000 });
const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (!promtool && process.env.CI === 'true')
  throw new Error('promtool is not installed: run scripts/ensure-system-packages.sh');

describe('voicefleet render monitoring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-render-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes what the operator applies for every example agent, and the dashboards', () => {
    const out = join(dir, 'examples');
    const r = cli(
      'render',
      'monitoring',
      join(ROOT, 'crds/examples'),
      '--out',
      out,
      '--label',
      'release=prom',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote 21 files for 2 VoiceAgent\(s\)/);
    assert.deepEqual(readdirSync(join(out, 'prometheusrules')).sort(), [
      'default-front-desk.yaml',
      'default-order-status.yaml',
    ]);
    const rule = parse(
      readFileSync(join(out, 'prometheusrules/default-front-desk.yaml'), 'utf8'),
    ) as PrometheusRule;
    assert.equal(rule.kind, 'PrometheusRule');
    assert.equal(rule.metadata.labels.release, 'prom');
    assert.equal(rule.spec.groups[0]!.rules.filter((x) => 'alert' in x).length, 12);
    const monitor = parse(readFileSync(join(out, 'podmonitors/default-front-desk.yaml'), 'utf8'));
    assert.equal(monitor.spec.podMetricsEndpoints[0].interval, '15s');
    assert.deepEqual(readdirSync(join(out, 'dashboards')).sort(), [
      'configmaps.yaml',
      'voicefleet-agent.json',
      'voicefleet-edge.json',
      'voicefleet-fleet.json',
      'voicefleet-trunk.json',
    ]);
    const maps = parseAllDocuments(
      readFileSync(join(out, 'dashboards/configmaps.yaml'), 'utf8'),
    ).map((d) => d.toJS() as { metadata: { labels: Record<string, string> } });
    assert.equal(maps.length, 4);
    for (const m of maps) assert.equal(m.metadata.labels.grafana_dashboard, '1');
  });

  test(
    'writes rule files that pass promtool check and their promtool tests',
    { skip: !promtool && 'promtool is not installed' },
    () => {
      const out = join(dir, 'promtool');
      assert.equal(
        cli('render', 'monitoring', join(ROOT, 'crds/examples'), '--out', out).status,
        0,
      );
      const rules = readdirSync(join(out, 'rules'));
      const check = spawnSync(
        'promtool',
        ['check', 'rules', ...rules.filter((f) => f.endsWith('.rules.yaml'))],
        { cwd: join(out, 'rules'), encoding: 'utf8' },
      );
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const tests = rules.filter((f) => f.endsWith('.test.yaml'));
      assert.equal(tests.length, 10);
      const run = spawnSync('promtool', ['test', 'rules', ...tests], {
        cwd: join(out, 'rules'),
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    },
  );

  test('refuses an invalid agent with the field to fix and writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(join(ROOT, 'crds/examples/front-desk.yaml'), 'utf8').replace(
        'turnLatencyMs: 1000',
        'turnLatencyMs: 800',
      ),
    );
    const out = join(dir, 'bad-out');
    const r = cli('render', 'monitoring', bad, '--out', out);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /spec\.slo\.turnLatencyMs: Unsupported value: 800: supported values: "5", "10"/,
    );
    assert.ok(!existsSync(out));
  });

  test('exits 2 with the usage for missing or bad arguments', () => {
    for (const args of [
      ['render', 'monitoring', join(ROOT, 'crds/examples')],
      ['render', 'dashboards', join(ROOT, 'crds/examples'), '--out', dir],
      ['render', 'monitoring', join(ROOT, 'crds/examples'), '--out', dir, '--label', 'no-equals'],
    ]) {
      const r = cli(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /Usage:/);
    }
  });
});
