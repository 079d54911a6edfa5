// voicefleet's monitoring as code: a VoiceAgent's SLOs become Prometheus recording rules, error
// budgets, burn rates and multi-window multi-burn-rate alerts (slo-rules.ts) with promtool tests
// made from the same definitions (rule-tests.ts); the fleet's Grafana dashboards are built with
// the Grafana Foundation SDK (dashboards/). Pure and free of the media node, so the operator, the
// CLI and the chart generator all render the same objects.
export {
  desiredPodMonitor,
  desiredPrometheusRule,
  type MonitoringOptions,
} from './agent-monitoring.js';
export { voicefleetDashboards, type DashboardFile } from './dashboards/index.js';
export {
  DEFAULT_MONITORING_OPTIONS,
  DEFAULT_RUNBOOK_BASE_URL,
  GRAFANA_DASHBOARD_LABEL,
  renderAgentMonitoring,
  renderDashboardConfigMaps,
  renderDashboardFiles,
  sloSubject,
  type RenderedFile,
} from './render.js';
export { sloRuleTests, type NamedTestFile, type PromtoolTestFile } from './rule-tests.js';
export type { PodMonitor, PrometheusRule, RuleGroup } from './rule-types.js';
export { SLO_NAMES, sloDefinitions, type SloName, type SloSubject } from './slo-definitions.js';
export { SLO_SERIES, alertThreshold, sloRuleGroups, type RuleOptions } from './slo-rules.js';
export { promDuration, sloWindows, type BurnRateAlert, type SloWindows } from './windows.js';
