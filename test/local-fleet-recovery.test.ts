// `voicefleet dev` on all the examples (two agents, two regions, a trunk) in a real terminal: the
// start-up in order and kept on screen, and a media node killed with kill -9 replaced, whichever
// it is, with the table showing neither the dead node nor its calls.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import xterm from '@xterm/headless';
import { parse } from 'yaml';
import { devFleetSkipReason, holdCall, startDevFleet, type DevFleet } from './harness/dev-fleet.js';
import { waitFor } from '@voicefleet/devtools/processes';

const ALL = ['front-desk.yaml', 'carrier-trunk.yaml', 'multi-region.yaml'];
const NODES = 4; // front desk 1, order status 2 in us-east-1 and 1 in eu-west-1

/** What the terminal shows after everything the fleet printed (scrollback included). */
async function readScreen(fleet: DevFleet): Promise<string[]> {
  const term = new xterm.Terminal({ cols: 120, rows: 40, allowProposedApi: true });
  const raw = await readFile(fleet.logPath, 'utf8');
  await new Promise<void>((done) => term.write(raw, done));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++)
    lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  return lines.filter((l) => l !== '');
}

/**
 * What the table on screen says of an agent's pool in one region: its NODES and CALLS cells, and the
 * agent's STATE (on the agent's first row). Empty strings while the table does not show it yet.
 */
async function poolCells(
  fleet: DevFleet,
  agent: string,
  region: string,
): Promise<{ nodes: string; calls: string; state: string }> {
  const lines = await readScreen(fleet);
  const at = lines.findLastIndex((l) => l.startsWith(agent));
  const rows = at < 0 ? [] : [lines[at]!, ...lines.slice(at + 1).filter((l) => l.startsWith(' '))];
  const row =
    rows
      .find((l) => l.includes(` ${region} `))
      ?.trim()
      .split(/\s+/) ?? [];
  const offset = row[0] === agent ? 1 : 0; // the first row starts with the agent's name
  return {
    nodes: row[offset + 1] ?? '',
    calls: row[offset + 2] ?? '',
    state:
      (rows[0] ?? '')
        .trim()
        .split(/\s{2,}/)
        .at(-1) ?? '',
  };
}

describe(
  'voicefleet dev in a terminal, all examples',
  { skip: devFleetSkipReason(), timeout: 400_000 },
  () => {
    let fleet: DevFleet;

    before(async () => {
      fleet = await startDevFleet({ examples: ALL, readyNodes: NODES, tty: true });
    });
    after(() => fleet?.remove());

    it('starts each region edge before its nodes, so no node is started at the wrong edge and replaced', async () => {
      const state = (await fleet.state())!;
      const edgeOf = new Map(state.edges.map((e) => [e.region, e.internalSipUri]));
      for (const node of state.nodes) {
        const config = parse(
          await readFile(join(fleet.runDir, 'nodes', node.id, 'config.yaml'), 'utf8'),
        ) as {
          region: string;
          edge: { uri: string };
        };
        assert.equal(
          config.edge.uri,
          edgeOf.get(config.region),
          `${node.id} points at its region's edge`,
        );
      }
      const serials = state.nodes.map((n) => Number(n.id.split('-').at(-1))).sort();
      assert.deepEqual(serials, [1, 2, 3, 4], 'the first four nodes started are the ones running');
      assert.equal(state.nodes.length, NODES, 'exactly one node per replica: none was replaced');
    });

    it('keeps the start-up lines on screen above the refreshing table', async () => {
      await new Promise((r) => setTimeout(r, 2500)); // a few refreshes of the table
      const lines = await readScreen(fleet);
      const first = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
      const order = [
        first(/^voicefleet dev: running /),
        first(/^edge for region us-east-1 listening on sip:/),
        first(/^edge for region eu-west-1 listening on sip:/),
        first(/^media node order-status-eu-west-1-\d+ ready/),
        first(/^AGENT\s+REGION\s+NODES/),
      ];
      assert.ok(
        order.every((i) => i >= 0),
        `start-up lines and the table on screen:\n${lines.join('\n')}`,
      );
      assert.equal(
        lines.filter((l) => /^AGENT\s+REGION/.test(l)).length,
        1,
        'one table, redrawn in place',
      );
    });

    it('never shows a trunk gateway Up that no carrier answers (not even before its first probe)', async () => {
      const everDrawn = await readFile(fleet.logPath, 'utf8');
      assert.doesNotMatch(everDrawn, /primary:Up|backup:Up/);
      assert.match(
        (await readScreen(fleet)).join('\n'),
        /default\/carrier-a\s+0\/2\s+primary:Down backup:Down/,
      );
    });

    for (const [agent, region, number] of [
      ['default/front-desk', 'us-east-1', '+14155550100'],
      ['default/order-status', 'eu-west-1', '+442079460150'],
      ['default/order-status', 'us-east-1', '+14155550150'],
    ] as const) {
      it(`replaces a ${agent} node in ${region} killed with kill -9, and forgets its calls`, async () => {
        const state = (await fleet.state())!;
        const pool = `${agent}/${region}`;
        const victim = state.nodes.find((n) => n.poolKey === pool && n.phase === 'ready')!;
        const edge = state.edges.find((e) => e.region === region)!.sipUri;
        const held = agent === 'default/front-desk' ? await holdCall(edge, number) : undefined;
        if (held)
          await waitFor(async () => (await poolCells(fleet, agent, region)).calls === '1/50', {
            message: 'the call counted',
          });

        process.kill(victim.pid!, 'SIGKILL');
        await waitFor(
          async () => {
            const now = (await fleet.state())?.nodes ?? [];
            const ready = now.filter((n) => n.poolKey === pool && n.phase === 'ready');
            return (
              !now.some((n) => n.id === victim.id) &&
              ready.length === state.nodes.filter((n) => n.poolKey === pool).length
            );
          },
          { timeoutMs: 60_000, intervalMs: 250, message: `a replacement for ${victim.id}` },
        );
        const cells = await waitFor(
          async () => {
            const c = await poolCells(fleet, agent, region);
            return c.state === 'Ready' && c.calls.startsWith('0/') ? c : undefined;
          },
          { timeoutMs: 10_000, message: 'the table back to Ready with no calls' },
        );
        assert.equal(cells.nodes.split('/')[0], cells.nodes.split('/')[1], 'every node up again');
        await held?.hangUp();

        const r = await fleet.call([number, '--edge', edge]);
        assert.equal(r.code, 0, r.stdout);
      });
    }
  },
);
