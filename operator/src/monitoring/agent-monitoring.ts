// A VoiceAgent's monitoring objects: the PrometheusRule with its SLO rules and the PodMonitor that
// scrapes its media pods at the interval the SLO windows were checked against. The operator adds
// the owner reference (it needs the live agent's uid); `voicefleet render monitoring` writes them
// as they are here.
import type { PodMonitor, PrometheusRule } from './rule-types.js';
import type { SloSubject } from './slo-definitions.js';
import { sloRuleGroups, type RuleOptions } from './slo-rules.js';

/** The media pods' labels (docs/contracts.md "Children of a VoiceAgent"). */
const MEDIA_NODE_APP = { 'app.kubernetes.io/name': 'voicefleet-media-node' };
const LABEL_AGENT = 'voicefleet.io/agent';

export interface MonitoringOptions extends RuleOptions {
  /** Labels a Prometheus `ruleSelector` / `podMonitorSelector` picks the objects by. */
  labels: Record<string, string>;
}

function meta(subject: SloSubject, suffix: string, options: MonitoringOptions) {
  return {
    name: `${subject.name}-${suffix}`,
    namespace: subject.namespace,
    labels: {
      ...options.labels,
      'app.kubernetes.io/managed-by': 'voicefleet',
      'app.kubernetes.io/part-of': 'voicefleet',
      [LABEL_AGENT]: subject.name,
    },
  };
}

export function desiredPrometheusRule(
  subject: SloSubject,
  options: MonitoringOptions,
): PrometheusRule {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: meta(subject, 'slo', options),
    spec: { groups: sloRuleGroups(subject, options) },
  };
}

export function desiredPodMonitor(subject: SloSubject, options: MonitoringOptions): PodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: meta(subject, 'media-node', options),
    spec: {
      selector: { matchLabels: { ...MEDIA_NODE_APP, [LABEL_AGENT]: subject.name } },
      podMetricsEndpoints: [
        {
          port: 'http',
          path: '/metrics',
          interval: `${subject.monitoring.scrapeIntervalSeconds}s`,
          // The node labels its own series with namespace, agent and region.
          honorLabels: true,
        },
      ],
    },
  };
}
