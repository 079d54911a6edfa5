// The one way a voicefleet dashboard panel is made: a title, a description saying what the SRE
// is looking at, a unit, and Prometheus queries on the dashboard's `datasource` variable. Range
// selectors use `$__rate_interval`, so panels work at any scrape interval and zoom level.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads from the data source the viewer picks. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
export const RATE = '$__rate_interval';

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** A Grafana unit id (`s`, `percentunit`, `cps`, `short`) or `suffix:x`. */
  unit: string;
  queries: Query[];
  /** `bargauge` for one bar per series at the last value; default a time series. */
  kind?: 'timeseries' | 'bargauge';
  min?: number;
  max?: number;
  /** Grid columns out of 24 (default 12). */
  span?: number;
}

export type DashboardPart = { row: string } | PanelSpec;

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  parts: DashboardPart[];
}

export interface VariableSpec {
  name: string;
  label: string;
  /** `label_values(<metric>{<filter>}, <label>)` */
  query: string;
  multi: boolean;
}

export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['voicefleet'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    );
  for (const v of spec.variables)
    builder.withVariable(
      new QueryVariableBuilder(v.name)
        .label(v.label)
        .query(v.query)
        .definition(v.query)
        .datasource(DATASOURCE)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(v.multi)
        .includeAll(v.multi),
    );
  let id = 1;
  for (const part of spec.parts) {
    if ('row' in part) builder.withRow(new RowBuilder(part.row).id(id++));
    else builder.withPanel(panel(part).id(id++));
  }
  return builder.build();
}

function panel(spec: PanelSpec): TimeseriesPanel | BarGaugePanel {
  const p =
    spec.kind === 'bargauge'
      ? new BarGaugePanel()
      : new TimeseriesPanel()
          .legend(
            new VizLegendOptionsBuilder()
              .showLegend(true)
              .displayMode(LegendDisplayMode.List)
              .placement(LegendPlacement.Bottom),
          )
          .tooltip(
            new VizTooltipOptionsBuilder()
              .mode(TooltipDisplayMode.Multi)
              .sort(SortOrder.Descending),
          );
  p.title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .span(spec.span ?? 12)
    .height(8)
    .targets(spec.queries.map((q, i) => target(q, i)));
  if (spec.min !== undefined) p.min(spec.min);
  if (spec.max !== undefined) p.max(spec.max);
  return p;
}

function target(q: Query, index: number): cog.Builder<cog.Dataquery> {
  return new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(String.fromCharCode(65 + index))
    .expr(q.expr)
    .legendFormat(q.legend);
}

/** `histogram_quantile` over a histogram's buckets, per `by` labels. */
export function quantile(q: number, histogram: string, filter: string, by: string[]): string {
  return `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${histogram}_bucket{${filter}}[${RATE}])))`;
}
