// The local fleet's live status as text: agents and their pools, trunks and their gateways, the
// edge, and whatever needs the user's attention. Pure: a snapshot in, lines out.

export interface PoolStatus {
  region: string;
  ready: number;
  desired: number;
  activeCalls: number;
  capacity: number;
}

export interface AgentStatus {
  /** `namespace/name` */
  key: string;
  numbers: readonly string[];
  pools: readonly PoolStatus[];
  /** `Ready`, or the reason it is not, e.g. `NumberConflict`. */
  state: string;
}

export interface TrunkStatus {
  key: string;
  gateways: readonly { name: string; state: string }[];
}

export interface FleetSnapshot {
  edge: { sipUri: string; state: string; routing: string };
  agents: readonly AgentStatus[];
  trunks: readonly TrunkStatus[];
  /** Problems the user should fix, newest last (invalid YAML, a node that will not start...). */
  problems: readonly string[];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function renderStatusTable(s: FleetSnapshot): string[] {
  const agentRows = s.agents.flatMap((a) =>
    (a.pools.length > 0 ? a.pools : [undefined]).map((p, i) => [
      i === 0 ? a.key : '',
      p?.region ?? '-',
      p ? `${p.ready}/${p.desired}` : '-',
      p ? `${p.activeCalls}/${p.capacity}` : '-',
      i === 0 ? a.numbers.join(' ') : '',
      i === 0 ? a.state : '',
    ]),
  );
  const trunkRows = s.trunks.map((t) => [
    t.key,
    `${t.gateways.filter((g) => g.state === 'Up').length}/${t.gateways.length}`,
    t.gateways.map((g) => `${g.name}:${g.state}`).join(' '),
  ]);
  const lines = [
    `edge ${s.edge.sipUri}  ${s.edge.state}  routing: ${s.edge.routing}`,
    '',
    ...table(['AGENT', 'REGION', 'NODES', 'CALLS', 'NUMBERS', 'STATE'], agentRows),
  ];
  if (trunkRows.length > 0) lines.push('', ...table(['TRUNK', 'UP', 'GATEWAYS'], trunkRows));
  if (s.problems.length > 0) lines.push('', ...s.problems.map((p) => `! ${p}`));
  return lines;
}
