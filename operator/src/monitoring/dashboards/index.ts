// The Grafana dashboards voicefleet ships, as code (@grafana/grafana-foundation-sdk): one file
// name and builder each. The chart carries them as JSON files and sidecar ConfigMaps.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { agentDashboard } from './agent-dashboard.js';
import { edgeDashboard } from './edge-dashboard.js';
import { fleetDashboard } from './fleet-dashboard.js';
import { trunkDashboard } from './trunk-dashboard.js';

export interface DashboardFile {
  /** `voicefleet-agent.json` */
  file: string;
  dashboard: dashboard.Dashboard;
}

export function voicefleetDashboards(): DashboardFile[] {
  return [fleetDashboard(), agentDashboard(), trunkDashboard(), edgeDashboard()].map((d) => ({
    file: `${d.uid ?? 'dashboard'}.json`,
    dashboard: d,
  }));
}

export { DATASOURCE, RATE } from './panel.js';
