// The SLO rules as rendered for real agents, checked by the real promtool: `promtool check rules`
// on every rule file and `promtool test rules` on the tests rendered beside them (every alert fires
// at its burn rate and stays silent just below it). A rule changed after rendering must fail them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseManifests, type VoiceAgent } from '@voicefleet/api';
import {
  DEFAULT_MONITORING_OPTIONS,
  renderAgentMonitoring,
} from '../operator/src/monitoring/index.js';
import { voiceAgent } from '../operator/src/monitoring/fixtures.test-support.js';

function promtoolSkip(): string | false {
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) return false;
  if (process.env.CI === 'true')
    throw new Error('promtool is not installed: run scripts/ensure-system-packages.sh');
  return 'skipped: promtool is not installed (Debian package prometheus)';
}

const root = new URL('../', import.meta.url).pathname;
const examples = readdirSync(join(root, 'crds/examples'))
  .map((f) => readFileSync(join(root, 'crds/examples', f), 'utf8'))
  .flatMap((text) => parseManifests(text).voiceAgents);

const AGENTS: [string, VoiceAgent][] = [
  ...examples.map((a): [string, VoiceAgent] => [`example ${a.metadata.name}`, a]),
  [
    'the tightest objectives',
    voiceAgent('strict', {
      turnLatencyObjective: 0.99998,
      callSetupObjective: 0.9999,
      answerSuccessObjective: 0.99998,
    }),
  ],
  [
    'the loosest objectives (page alerts capped at total failure)',
    voiceAgent('loose', {
      turnLatencyObjective: 0.51,
      callSetupObjective: 0.9,
      answerSuccessObjective: 0.92,
    }),
  ],
  [
    'a 7-day budget with other thresholds',
    voiceAgent('weekly', {
      windowDays: 7,
      turnLatencyMs: 750,
      callSetupMs: 100,
    }),
  ],
  [
    'a 3-day budget at a 15 s scrape (the shortest window: 30 s)',
    voiceAgent('short', {
      windowDays: 3,
    }),
  ],
];

function promtool(args: string[], cwd: string) {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('SLO rules under promtool', { skip: promtoolSkip() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-rules-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, agent] of AGENTS) {
    test(`${name}: every rule file passes promtool check and every alert its promtool test`, () => {
      const out = join(dir, agent.metadata.name!);
      const files = renderAgentMonitoring([agent], DEFAULT_MONITORING_OPTIONS);
      for (const f of files) {
        mkdirSync(dirname(join(out, f.path)), { recursive: true });
        writeFileSync(join(out, f.path), f.text);
      }
      const rules = files.filter((f) => f.path.endsWith('.rules.yaml'));
      const tests = files.filter((f) => f.path.endsWith('.test.yaml'));
      assert.equal(rules.length, 1);
      assert.equal(tests.length, 5);
      const check = promtool(['check', 'rules', ...rules.map((f) => f.path)], out);
      assert.equal(check.status, 0, check.out);
      assert.match(check.out, /SUCCESS: \d+ rules found/);
      const run = promtool(['test', 'rules', ...tests.map((f) => f.path)], out);
      assert.equal(run.status, 0, run.out);
      assert.equal(run.out.match(/SUCCESS/g)?.length, 5, run.out);
    });
  }

  const mutations: [string, (rules: string) => string][] = [
    [
      'a page threshold raised from 14.4 to 15',
      (r) => r.replace(/>= 14\.4 and (.*?) >= 14\.4\n/, '>= 15 and $1 >= 15\n'),
    ],
    [
      'a page threshold lowered from 14.4 to 13',
      (r) => r.replace(/>= 14\.4 and (.*?) >= 14\.4\n/, '>= 13 and $1 >= 13\n'),
    ],
    [
      'the short window dropped from a page',
      (r) =>
        r.replace(
          / and on \(namespace, agent, region, slo\) max without \(window\) \(voicefleet_slo:burn_rate\{[^}]*window="5m"\}\) >= 14\.4/,
          '',
        ),
    ],
    [
      'a latency bucket other than the threshold',
      (r) => r.replace(/le=~"1\(\\\\\.0\)\?"/g, 'le=~"1\\\\.5"'),
    ],
  ];
  for (const [name, mutate] of mutations) {
    test(`the promtool tests fail with ${name}`, () => {
      const out = join(dir, `mutated-${mutations.findIndex(([n]) => n === name)}`);
      const files = renderAgentMonitoring([voiceAgent('mutated')], DEFAULT_MONITORING_OPTIONS);
      for (const f of files) {
        mkdirSync(dirname(join(out, f.path)), { recursive: true });
        const text = f.path.endsWith('.rules.yaml') ? mutate(f.text) : f.text;
        if (f.path.endsWith('.rules.yaml')) assert.notEqual(text, f.text, 'the mutation applies');
        writeFileSync(join(out, f.path), text);
      }
      const tests = files.filter((f) => f.path.endsWith('.test.yaml')).map((f) => f.path);
      const run = promtool(['test', 'rules', ...tests], out);
      assert.notEqual(run.status, 0, run.out);
      assert.match(run.out, /FAILED/);
    });
  }
});
