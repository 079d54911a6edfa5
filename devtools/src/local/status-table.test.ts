import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderStatusTable, type FleetSnapshot } from './status-table.js';

const base: FleetSnapshot = {
  edge: { sipUri: 'sip:127.0.0.1:5060', state: 'running', routing: 'published' },
  agents: [
    {
      key: 'default/front-desk',
      numbers: ['+14155550100'],
      pools: [{ region: 'local', ready: 1, desired: 1, activeCalls: 2, capacity: 50 }],
      state: 'Ready',
    },
  ],
  trunks: [
    {
      key: 'default/carrier-a',
      gateways: [
        { name: 'primary', state: 'Up' },
        { name: 'backup', state: 'Down' },
      ],
    },
  ],
  problems: [],
};

describe('renderStatusTable', () => {
  it('shows each agent pool with ready nodes, calls against capacity and its numbers', () => {
    const lines = renderStatusTable(base);
    assert.equal(lines[0], 'edge sip:127.0.0.1:5060  running  routing: published');
    assert.match(lines[2] ?? '', /^AGENT\s+REGION\s+NODES\s+CALLS\s+NUMBERS\s+STATE$/);
    assert.match(
      lines[3] ?? '',
      /^default\/front-desk\s+local\s+1\/1\s+2\/50\s+\+14155550100\s+Ready$/,
    );
  });

  it('counts gateways up per trunk and names each one with its state', () => {
    const lines = renderStatusTable(base);
    assert.ok(lines.some((l) => /^default\/carrier-a\s+1\/2\s+primary:Up backup:Down$/.test(l)));
  });

  it('lists one row per region, the agent named once', () => {
    const lines = renderStatusTable({
      ...base,
      agents: [
        {
          key: 'default/global',
          numbers: ['+442071234567'],
          pools: [
            { region: 'eu-west-1', ready: 2, desired: 2, activeCalls: 0, capacity: 100 },
            { region: 'us-east-1', ready: 0, desired: 1, activeCalls: 0, capacity: 0 },
          ],
          state: 'Progressing',
        },
      ],
    });
    assert.match(lines[3] ?? '', /^default\/global\s+eu-west-1\s+2\/2/);
    assert.match(lines[4] ?? '', /^\s+us-east-1\s+0\/1\s+0\/0$/);
  });

  it('ends with the problems the user must fix', () => {
    const lines = renderStatusTable({
      ...base,
      problems: ['front-desk.yaml: spec.numbers[0]: must be E.164'],
    });
    assert.equal(lines.at(-1), '! front-desk.yaml: spec.numbers[0]: must be E.164');
  });
});
