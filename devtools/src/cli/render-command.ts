// `voicefleet render monitoring <manifest or folder> --out DIR`: writes, without a cluster, what
// the operator applies for each VoiceAgent (PrometheusRule, PodMonitor), the same rules as plain
// Prometheus rule files with their promtool tests, and the Grafana dashboards (JSON and sidecar
// ConfigMaps), for GitOps repositories and Prometheus setups without the operator.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_RUNBOOK_BASE_URL,
  renderAgentMonitoring,
  renderDashboardConfigMaps,
  renderDashboardFiles,
} from '@voicefleet/operator/monitoring';
import { loadManifestFolder } from '../local/manifest-folder.js';
import { UsageError } from './usage-error.js';

export const RENDER_USAGE = `voicefleet render monitoring <manifest or folder> --out DIR [options]
  --out DIR                  where to write (created if missing)
  --label key=value          a label on every PrometheusRule and PodMonitor, for your Prometheus's
                             ruleSelector / podMonitorSelector (repeat for several)
  --runbook-base-url URL     alerts link <URL>#<alert name> (default ${DEFAULT_RUNBOOK_BASE_URL})
  --dashboard-namespace NS   namespace of the dashboard ConfigMaps (default: monitoring)

Writes prometheusrules/ and podmonitors/ (one per VoiceAgent, what the operator applies), rules/
(the same rules as Prometheus rule files, with promtool tests: promtool test rules rules/*.test.yaml)
and dashboards/ (Grafana JSON, and configmaps.yaml for the Grafana sidecar).`;

const LABEL = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/;

export async function runRenderCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      label: { type: 'string', multiple: true },
      'runbook-base-url': { type: 'string' },
      'dashboard-namespace': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(RENDER_USAGE);
    return 0;
  }
  const [what, source, ...extra] = positionals;
  if (what !== 'monitoring') throw new UsageError('render what? try: render monitoring');
  if (source === undefined || extra.length > 0)
    throw new UsageError('render monitoring takes one manifest file or folder');
  if (values.out === undefined) throw new UsageError('render monitoring needs --out DIR');
  const labels: Record<string, string> = {};
  for (const l of values.label ?? []) {
    const m = LABEL.exec(l);
    if (!m) throw new UsageError(`--label must be key=value, got "${l}"`);
    labels[m[1]!] = m[2]!;
  }

  const manifests = await loadManifestFolder(resolve(source));
  if (manifests.problems.length > 0) {
    for (const p of manifests.problems) console.error(p);
    console.error('voicefleet render: nothing written; fix the manifests above');
    return 1;
  }
  if (manifests.agents.length === 0) {
    console.error(`voicefleet render: no VoiceAgent in ${source}; nothing written`);
    return 1;
  }
  const files = [
    ...renderAgentMonitoring(manifests.agents, {
      labels,
      runbookBaseUrl: values['runbook-base-url'] ?? DEFAULT_RUNBOOK_BASE_URL,
    }),
    ...renderDashboardFiles(),
    renderDashboardConfigMaps(values['dashboard-namespace'] ?? 'monitoring'),
  ];
  const out = resolve(values.out);
  for (const f of files) {
    await mkdir(dirname(join(out, f.path)), { recursive: true });
    await writeFile(join(out, f.path), f.text);
  }
  console.log(
    `wrote ${files.length} files for ${manifests.agents.length} VoiceAgent(s) to ${values.out}`,
  );
  for (const f of files) console.log(`  ${f.path}`);
  return 0;
}
