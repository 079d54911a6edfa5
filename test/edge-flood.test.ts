// Flood protection at the edge (pike): an unknown source sending faster than PIKE_DENSITY per 2 s
// stops getting answers, while a trunk source at the same rate is never limited.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeWriter, KamailioRpcClient, desiredRoutingState } from '../operator/src/edge/index.js';
import { edgeTrunk } from './harness/kamailio-fixtures.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';

const missing = !kamailioAvailable();
if (missing && process.env['CI'] === 'true') throw new Error('kamailio is required in CI');

describe(
  'flood protection',
  { skip: missing ? 'kamailio not installed' : false, timeout: 60_000 },
  () => {
    let kam: KamailioInstance;

    before(async () => {
      kam = await startKamailio({ defines: ['PIKE_DENSITY 20'] });
      const writer = new EdgeWriter(
        new KamailioRpcClient({ name: 'flood', rpcUrl: kam.rpcUrl, token: kam.token }),
      );
      const d = desiredRoutingState({
        agents: [],
        trunks: [
          edgeTrunk('carrier', [{ name: 'in', port: 9 }], { sourceCidrs: ['127.0.0.1/32'] }),
        ],
        endpointSlices: [],
        drainMarks: new Set(),
        credentials: new Map(),
        region: { region: 'local', peerEdges: [] },
        setIds: new Map(),
      });
      await writer.sync(d.state);
    });
    after(async () => {
      await kam.stop();
    });

    /** Sends `count` INVITEs to an unknown number from `ip` within ~1 s; returns the final answers. */
    async function burst(ip: string, count: number): Promise<string[]> {
      const socket: Socket = createSocket('udp4');
      const answers: string[] = [];
      socket.on('message', (m) => {
        const line = m.toString().split('\r\n')[0] ?? '';
        if (!/^SIP\/2\.0 1/.test(line)) answers.push(line);
      });
      await new Promise<void>((resolve) => socket.bind(0, ip, () => resolve()));
      const { port } = socket.address();
      for (let i = 0; i < count; i += 1) {
        const invite = [
          `INVITE sip:+19998887777@127.0.0.1:${kam.sipPort} SIP/2.0`,
          `Via: SIP/2.0/UDP ${ip}:${port};branch=z9hG4bK-flood-${ip}-${i}`,
          `From: <sip:flood@${ip}>;tag=f${i}`,
          `To: <sip:+19998887777@127.0.0.1>`,
          `Call-ID: flood-${ip}-${i}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:flood@${ip}:${port}>`,
          'Max-Forwards: 70',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        socket.send(invite, kam.sipPort, '127.0.0.1');
        await sleep(10);
      }
      await sleep(500);
      socket.close();
      return answers;
    }

    it('stops answering an unknown source that floods, and answers a trunk source at the same rate', async () => {
      const foreign = await burst('127.0.0.2', 80);
      assert.ok(
        foreign.length > 0 && foreign.every((a) => a.startsWith('SIP/2.0 403')),
        'unknown source gets 403 until blocked',
      );
      assert.ok(foreign.length < 60, `pike blocked the flood (${foreign.length} of 80 answered)`);
      const trunk = await burst('127.0.0.1', 80);
      assert.equal(trunk.length, 80);
      assert.ok(trunk.every((a) => a.startsWith('SIP/2.0 404')));
    });
  },
);
