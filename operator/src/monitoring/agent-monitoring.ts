// A VoiceAgent's monitoring objects: the PrometheusRule with its SLO rules and the PodMonitor that
// scrapes its media pods at the interval the SLO windows were checked against. The operator adds
// the owner reference (it needs the live agent's uid); `voicefleet render monitoring` writes them
// as they are here.
import {
  AGENT_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MEDIA_NODE_APP,
  NAME_LABEL,
} from '@voicefleet/api';
import type { PodMonitor, PrometheusRule } from './rule-types.js';
import type { SloSubject } from './slo-definitions.js';
import { sloRuleGroups, type RuleOptions } from './slo-rules.js';

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
      [MANAGED_BY_LABEL]: MANAGED_BY,
      'app.kubernetes.io/part-of': 'voicefleet',
      [AGENT_LABEL]: subject.name,
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
      // The labels the operator puts on every media pod of the agent, in every region.
      selector: { matchLabels: { [NAME_LABEL]: MEDIA_NODE_APP, [AGENT_LABEL]: subject.name } },
      podMetricsEndpoints: [
        {
          // the media node's metrics-only listener, the port its NetworkPolicy opens to Prometheus
          port: 'metrics',
          path: '/metrics',
          interval: `${subject.monitoring.scrapeIntervalSeconds}s`,
          // The node labels its own series with namespace, agent and region; the pod's labels
          // give them to the rest (the RTP thread's, the process's) too.
          honorLabels: true,
          relabelings: [
            {
              sourceLabels: ['__meta_kubernetes_pod_label_voicefleet_io_agent'],
              targetLabel: 'agent',
            },
            {
              sourceLabels: ['__meta_kubernetes_pod_label_voicefleet_io_region'],
              targetLabel: 'region',
            },
          ],
        },
      ],
    },
  };
}
