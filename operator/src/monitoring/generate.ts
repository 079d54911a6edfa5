// `npm run generate` (with the CRDs): writes the Grafana dashboards into the chart, where
// templates/monitoring-dashboards.yaml ships them as sidecar ConfigMaps.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHART_DASHBOARD_DIR, renderDashboardFiles } from './render.js';

const root = new URL('../../..', import.meta.url).pathname;
for (const f of renderDashboardFiles()) {
  const path = join(root, CHART_DASHBOARD_DIR, f.path.replace(/^dashboards\//, ''));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, f.text);
  console.log(`wrote ${join(CHART_DASHBOARD_DIR, f.path.replace(/^dashboards\//, ''))}`);
}
