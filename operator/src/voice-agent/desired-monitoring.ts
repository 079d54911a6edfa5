// A VoiceAgent's monitoring children when the operator manages monitoring: its PrometheusRule (SLO
// rules and alerts) and PodMonitor, rendered by ../monitoring exactly as `voicefleet render
// monitoring` writes them, plus the owner reference that lets garbage collection remove them; and
// the `Monitoring` condition that tells the agent's owner whether they exist. Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { VoiceAgent } from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';
import {
  desiredPodMonitor,
  desiredPrometheusRule,
  type MonitoringOptions,
} from '../monitoring/agent-monitoring.js';
import { sloSubject } from '../monitoring/render.js';
import type { AgentCondition } from './voice-agent-conditions.js';
import { ownerReference } from './desired-children.js';

/** Monitoring the operator was asked to manage, and the CRDs it lacks for that (none: it writes). */
export interface ManagedMonitoring extends MonitoringOptions {
  /** Names of the monitoring.coreos.com CRDs not installed when the operator started. */
  missingCrds: readonly string[];
}

export const MONITORING_CONDITION = 'Monitoring';

/** The PrometheusRule and PodMonitor of the agent; none while their CRDs are missing. */
export function desiredMonitoring(
  agent: Stored<VoiceAgent>,
  monitoring: ManagedMonitoring,
): KubernetesObject[] {
  if (monitoring.missingCrds.length > 0) return [];
  const subject = sloSubject(agent);
  return [desiredPrometheusRule(subject, monitoring), desiredPodMonitor(subject, monitoring)].map(
    (o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: [ownerReference(agent)] } }),
  );
}

/** `Monitoring=True` once its objects are applied, `False` with what to install when CRDs are missing. */
export function monitoringCondition(
  agent: Stored<VoiceAgent>,
  monitoring: ManagedMonitoring,
): AgentCondition {
  const name = agent.metadata.name;
  const observedGeneration = agent.metadata.generation ?? 0;
  if (monitoring.missingCrds.length > 0)
    return {
      type: MONITORING_CONDITION,
      status: 'False',
      reason: 'MonitoringCRDsMissing',
      message:
        `no SLO alerts or scraping for this agent: the CRDs ${monitoring.missingCrds.join(', ')} ` +
        'are not installed; install the Prometheus operator and restart the voicefleet operator, ' +
        'or apply the output of `voicefleet render monitoring` to your Prometheus',
      observedGeneration,
    };
  return {
    type: MONITORING_CONDITION,
    status: 'True',
    reason: 'RulesApplied',
    message: `PrometheusRule ${name}-slo (SLO rules and alerts) and PodMonitor ${name}-media-node are applied`,
    observedGeneration,
  };
}
