// Everything voicefleet's monitoring consists of, as files: per VoiceAgent the PrometheusRule and
// PodMonitor the operator applies, the same rules as a plain Prometheus rule file with its
// promtool tests, and the fleet's Grafana dashboards as JSON and as sidecar ConfigMaps. Pure:
// `voicefleet render monitoring`, `npm run generate` (the chart) and the tests call it.
import type { VoiceAgent } from '@voicefleet/api';
import { stringify } from 'yaml';
import {
  desiredPodMonitor,
  desiredPrometheusRule,
  type MonitoringOptions,
} from './agent-monitoring.js';
import { voicefleetDashboards } from './dashboards/index.js';
import { sloRuleTests } from './rule-tests.js';
import type { SloSubject } from './slo-definitions.js';

export interface RenderedFile {
  /** Relative path, e.g. `rules/default-front-desk.rules.yaml`. */
  path: string;
  text: string;
}

/** Where the chart keeps the dashboards' JSON (`npm run generate` writes it). */
export const CHART_DASHBOARD_DIR = 'charts/voicefleet/files/dashboards';

/** The label the Grafana sidecar (kiwigrid k8s-sidecar, kube-prometheus-stack) looks for. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/** Where the chart's copy of runbooks lives unless the chart says otherwise. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://voicefleet.io/docs/runbooks';

export const DEFAULT_MONITORING_OPTIONS: MonitoringOptions = {
  labels: {},
  runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
};

export function sloSubject(agent: VoiceAgent): SloSubject {
  return {
    namespace: agent.metadata.namespace ?? 'default',
    name: agent.metadata.name ?? '',
    slo: agent.spec.slo,
    monitoring: agent.spec.monitoring,
  };
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** Files for agents that passed validation with their defaults applied. */
export function renderAgentMonitoring(
  agents: readonly VoiceAgent[],
  options: MonitoringOptions,
): RenderedFile[] {
  return agents.flatMap((agent) => {
    const subject = sloSubject(agent);
    const base = `${subject.namespace}-${subject.name}`;
    const rule = desiredPrometheusRule(subject, options);
    const ruleFile = `${base}.rules.yaml`;
    return [
      { path: `prometheusrules/${base}.yaml`, text: yaml(rule) },
      { path: `podmonitors/${base}.yaml`, text: yaml(desiredPodMonitor(subject, options)) },
      { path: `rules/${ruleFile}`, text: yaml({ groups: rule.spec.groups }) },
      ...sloRuleTests(subject, options, ruleFile).map((t) => ({
        path: `rules/${base}.${t.name}.test.yaml`,
        text: yaml(t.file),
      })),
    ];
  });
}

/** The dashboards as Grafana JSON. */
export function renderDashboardFiles(): RenderedFile[] {
  return voicefleetDashboards().map((d) => ({
    path: `dashboards/${d.file}`,
    text: `${JSON.stringify(d.dashboard, null, 2)}\n`,
  }));
}

/** The dashboards as ConfigMaps the Grafana sidecar imports (one per dashboard). */
export function renderDashboardConfigMaps(namespace: string): RenderedFile {
  const maps = voicefleetDashboards().map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: d.file.replace(/\.json$/, '-dashboard'),
      namespace,
      labels: { [GRAFANA_DASHBOARD_LABEL]: '1', 'app.kubernetes.io/part-of': 'voicefleet' },
    },
    data: { [d.file]: JSON.stringify(d.dashboard) },
  }));
  return { path: 'dashboards/configmaps.yaml', text: maps.map(yaml).join('---\n') };
}
