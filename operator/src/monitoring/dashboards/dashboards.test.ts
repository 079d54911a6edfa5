import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CHART_DASHBOARD_DIR, renderDashboardFiles } from '../render.js';
import { voicefleetDashboards } from './index.js';

const root = new URL('../../../../', import.meta.url);

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  id?: number;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  gridPos?: { x: number; w: number };
}

const panelsOf = (d: { panels?: unknown[] }) =>
  (d.panels ?? []).map((p) => p as Panel).filter((p) => p.type !== 'row');

describe('dashboards', () => {
  const dashboards = voicefleetDashboards();

  it('are the fleet overview, agent, trunk and edge dashboards, with stable uids', () => {
    assert.deepEqual(
      dashboards.map((d) => [d.file, d.dashboard.uid]),
      [
        ['voicefleet-fleet.json', 'voicefleet-fleet'],
        ['voicefleet-agent.json', 'voicefleet-agent'],
        ['voicefleet-trunk.json', 'voicefleet-trunk'],
        ['voicefleet-edge.json', 'voicefleet-edge'],
      ],
    );
  });

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      const panels = panelsOf(dashboard);

      it('has a datasource variable of type prometheus first', () => {
        const first = dashboard.templating.list?.[0];
        assert.equal(first?.type, 'datasource');
        assert.equal(first?.name, 'datasource');
        assert.equal(first?.query, 'prometheus');
      });

      it('gives every panel a title, a description and a unit', () => {
        assert.ok(panels.length > 0);
        for (const p of panels) {
          assert.ok(p.title, `panel ${p.id} has a title`);
          assert.ok((p.description ?? '').length > 40, `${p.title} has a description`);
          assert.ok(p.fieldConfig?.defaults?.unit, `${p.title} has a unit`);
        }
      });

      it('queries the datasource variable in every panel and target', () => {
        for (const p of panels) {
          assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
          assert.ok((p.targets ?? []).length > 0, `${p.title} has queries`);
          for (const t of p.targets ?? [])
            assert.deepEqual(t.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
        }
      });

      it('uses $__rate_interval for every range', () => {
        for (const p of panels)
          for (const t of p.targets ?? []) {
            // Ranges outside string literals (a regex may hold a character class).
            const code = t.expr?.replace(/"(?:[^"\\]|\\.)*"/g, '""');
            const ranges = code?.match(/\[[^\]]*\]/g) ?? [];
            for (const r of ranges) assert.equal(r, '[$__rate_interval]', `${p.title}: ${t.expr}`);
          }
      });

      it('filters by its variables', () => {
        for (const v of dashboard.templating.list ?? []) {
          if (v.name === 'datasource') continue;
          const used = panels.some((p) =>
            (p.targets ?? []).some((t) => t.expr?.includes(`$${v.name}`)),
          );
          assert.ok(used, `$${v.name} is used by a panel`);
        }
      });

      it('has unique panel ids and fits the 24-column grid', () => {
        const ids = (dashboard.panels ?? []).map((p) => (p as Panel).id);
        assert.equal(new Set(ids).size, ids.length);
        for (const p of panels) assert.ok(p.gridPos!.x + p.gridPos!.w <= 24, p.title);
      });
    });
  }

  it('are in the chart as generated (npm run generate)', () => {
    for (const f of renderDashboardFiles()) {
      const path = `${CHART_DASHBOARD_DIR}/${f.path.replace(/^dashboards\//, '')}`;
      let onDisk = '';
      try {
        onDisk = readFileSync(new URL(path, root), 'utf8');
      } catch {
        // missing counts as stale
      }
      assert.ok(onDisk === f.text, `${path} is stale: run npm run generate`);
    }
  });
});
