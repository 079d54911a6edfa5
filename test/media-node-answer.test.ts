// Answer on arrival: the media node's SIP UDP socket lives on its RTP thread, which answers a plain
// new call itself (100, 180, 200 with the SDP answer) and hands it to the event loop. The node runs
// in this process so the test can stall its event loop; the caller runs in a process of its own
// and timestamps what it receives. A user notices: a call answered in a few milliseconds while the
// node is busy, a call that then goes on as any other (greeting heard, BYE answered), the same
// answer to a retransmitted INVITE, and 503 (not an answer) when the node is full or draining.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '../media-node/src/node/server.js';
import { stall, startInProcessNode } from './harness/in-process-node.js';
import { waitFor } from '@voicefleet/devtools/processes';

/**
 * The caller: one SIP socket and one RTP socket. Commands on stdin (`invite <id>`, `resend <id>`,
 * `ack <id>`, `bye <id>`, `report`); every SIP response and the RTP packets heard are reported as
 * JSON lines with their arrival time relative to the first INVITE of that call.
 */
const CALLER_SCRIPT = `
const dgram = require('node:dgram');
const nodePort = Number(process.argv[1]);
const sip = dgram.createSocket('udp4');
const rtp = dgram.createSocket('udp4');
const calls = new Map();
let rtpHeard = 0;
rtp.on('message', () => rtpHeard++);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
sip.on('message', (m) => {
  const text = m.toString('latin1');
  const head = text.slice(0, text.indexOf('\\r\\n\\r\\n'));
  const header = (name) => (head.match(new RegExp('^' + name + ':\\\\s*(.*)$', 'mi')) || [])[1];
  const call = calls.get(header('Call-ID'));
  if (!call) return;
  if (/^BYE /.test(text)) return;
  const status = Number(text.split(' ')[1]);
  const cseq = header('CSeq');
  const to = header('To');
  if (status === 200 && /INVITE/.test(cseq)) call.toTag = /tag=([^;>\\s]+)/.exec(to)[1];
  if (status >= 300 && /INVITE/.test(cseq)) {
    // a failed INVITE is acknowledged on its own transaction, as any user agent does
    call.toTag = /tag=([^;>\\s]+)/.exec(to)[1];
    send(message(call, 'ACK', 1, call.branch, [], ''));
  }
  say({ id: call.id, status, method: cseq.split(' ')[1], at: performance.now() - call.sentAt,
        toTag: (/tag=([^;>\\s]+)/.exec(to) || [])[1], body: text.slice(text.indexOf('\\r\\n\\r\\n') + 4) });
});
function message(call, method, cseq, branch, extra, body) {
  return [
    method + ' sip:+14155550100@127.0.0.1:' + nodePort + ' SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:' + sip.address().port + ';branch=' + branch + ';rport',
    'Max-Forwards: 70',
    'From: <sip:+15105550123@127.0.0.1>;tag=' + call.id,
    'To: <sip:+14155550100@127.0.0.1>' + (call.toTag && method !== 'INVITE' ? ';tag=' + call.toTag : ''),
    'Call-ID: ' + call.callId,
    'CSeq: ' + cseq + ' ' + method,
    'Contact: <sip:caller@127.0.0.1:' + sip.address().port + '>',
    ...extra,
    'Content-Length: ' + Buffer.byteLength(body),
    '',
    body,
  ].join('\\r\\n');
}
const offer = () => [
  'v=0', 'o=caller 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  'm=audio ' + rtp.address().port + ' RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\\r\\n');
const send = (text) => sip.send(text, nodePort, '127.0.0.1');
let bound = 0;
const ready = () => { if (++bound === 2) say({ ready: true }); };
sip.bind(0, '127.0.0.1', ready);
rtp.bind(0, '127.0.0.1', ready);
process.stdin.setEncoding('utf8');
let pending = '';
process.stdin.on('data', (d) => {
  pending += d;
  let nl;
  while ((nl = pending.indexOf('\\n')) >= 0) {
    const [cmd, id] = pending.slice(0, nl).trim().split(' ');
    pending = pending.slice(nl + 1);
    if (cmd === 'report') { say({ rtpHeard }); continue; }
    if (cmd === 'quit') { sip.close(); rtp.close(); process.stdin.destroy(); continue; }
    if (cmd === 'invite') {
      const call = { id, callId: id + '@answer-test', branch: 'z9hG4bK-' + id };
      calls.set(call.callId, call);
      call.invite = message(call, 'INVITE', 1, call.branch, ['Content-Type: application/sdp'], offer());
      call.sentAt = performance.now();
      send(call.invite);
      continue;
    }
    const call = [...calls.values()].find((c) => c.id === id);
    if (cmd === 'resend') send(call.invite);
    if (cmd === 'ack') send(message(call, 'ACK', 1, 'z9hG4bK-ack-' + id, [], ''));
    if (cmd === 'bye') send(message(call, 'BYE', 2, 'z9hG4bK-bye-' + id, [], ''));
  }
});
`;

interface Heard {
  id: string;
  status: number;
  method: string;
  at: number;
  toTag?: string;
  body: string;
}

class Caller {
  readonly heard: Heard[] = [];
  rtpHeard: number | undefined;
  readonly #child: ChildProcess;

  constructor(nodePort: number) {
    this.#child = spawn(process.execPath, ['-e', CALLER_SCRIPT, String(nodePort)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buffer = '';
    this.#child.stdout!.setEncoding('utf8');
    this.#child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl)) as Heard & { rtpHeard?: number };
        buffer = buffer.slice(nl + 1);
        if (line.rtpHeard !== undefined) this.rtpHeard = line.rtpHeard;
        else if ('status' in line) this.heard.push(line);
        else this.ready = true;
      }
    });
  }

  ready = false;

  command(line: string): void {
    this.#child.stdin!.write(`${line}\n`);
  }

  responses(id: string, method = 'INVITE'): Heard[] {
    return this.heard.filter((h) => h.id === id && h.method === method);
  }

  async final(id: string, method = 'INVITE', count = 1): Promise<Heard> {
    return waitFor(() => this.responses(id, method).filter((h) => h.status >= 200)[count - 1], {
      message: `final response ${count} to ${method} of call ${id}`,
    });
  }

  async rtp(): Promise<number> {
    this.rtpHeard = undefined;
    this.command('report');
    await waitFor(() => this.rtpHeard !== undefined, { message: 'caller report' });
    return this.rtpHeard!;
  }

  close(): void {
    this.command('quit');
    this.#child.kill();
  }
}

describe('media node: answer on arrival', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let caller: Caller;

  // a node and a caller of its own for each test: no test depends on what another left behind
  beforeEach(async () => {
    server = await startInProcessNode({ maxCalls: 2 });
    caller = new Caller(server.sipPort);
    await waitFor(() => caller.ready, { message: 'caller sockets bound' });
  });

  afterEach(async () => {
    caller?.close();
    await server?.close();
  });

  it('answers a new call within milliseconds while the event loop is stalled, and the call goes on', async () => {
    caller.command('invite a');
    stall(400); // the event loop does nothing else for 400 ms
    const ok = await caller.final('a');
    const answered = caller.responses('a');
    assert.deepEqual(
      answered.map((h) => h.status),
      [100, 180, 200],
      'Trying, Ringing, OK in order',
    );
    assert.equal(ok.status, 200);
    assert.ok(
      ok.at < 50,
      `200 OK ${ok.at.toFixed(1)} ms after the INVITE, event loop stalled 400 ms`,
    );
    assert.match(ok.body, /^m=audio \d+ RTP\/AVP 0 101\r$/m, 'the SDP answer names PCMU and DTMF');

    // the event loop has it now: the ACK confirms it there, and the caller hears the greeting
    caller.command('ack a');
    await waitFor(() => server.node.status().activeCalls === 1, { message: 'call counted' });
    await waitFor(async () => (await caller.rtp()) >= 25, {
      timeoutMs: 10_000,
      message: 'the greeting heard (half a second of RTP)',
    });
    caller.command('bye a');
    const bye = await caller.final('a', 'BYE');
    assert.equal(bye.status, 200, 'the node that took the call over answers its BYE');
    await waitFor(() => server.node.status().activeCalls === 0, { message: 'call ended' });
  });

  it('answers a retransmitted INVITE with the same 200, and counts the call once', async () => {
    caller.command('invite b');
    const first = await caller.final('b');
    caller.command('resend b'); // as if the 200 had been lost
    const second = await caller.final('b', 'INVITE', 2);
    assert.equal(second.status, 200);
    assert.equal(second.toTag, first.toTag, 'the same dialog');
    assert.equal(second.body, first.body, 'the same SDP answer');
    caller.command('ack b');
    await waitFor(() => server.node.status().activeCalls === 1, { message: 'call counted' });
    await sleep(200);
    assert.equal(server.node.status().activeCalls, 1, 'one call, not two');
    caller.command('bye b');
    assert.equal((await caller.final('b', 'BYE')).status, 200);
    await waitFor(() => server.node.status().activeCalls === 0, { message: 'call ended' });
  });

  it('refuses with 503 when full, even when the calls that fill it were answered on arrival', async () => {
    caller.command('invite c1');
    caller.command('invite c2');
    caller.command('invite c3');
    stall(200); // all three arrive before the event loop counts any
    const finals = await Promise.all(['c1', 'c2', 'c3'].map((id) => caller.final(id)));
    assert.deepEqual(
      finals.map((h) => h.status).sort(),
      [200, 200, 503],
      'capacity 2: two answered, the third refused',
    );
    for (const h of finals.filter((f) => f.status === 200)) caller.command(`ack ${h.id}`);
    await waitFor(() => server.node.status().activeCalls === 2, { message: 'two calls' });
    for (const h of finals.filter((f) => f.status === 200)) caller.command(`bye ${h.id}`);
    await waitFor(() => server.node.status().activeCalls === 0, { message: 'calls ended' });
  });

  it('refuses with 503 while draining', async () => {
    server.node.drain();
    caller.command('invite d');
    const refused = await caller.final('d');
    assert.equal(refused.status, 503);
    assert.equal(
      caller.responses('d').some((h) => h.status === 180),
      false,
      'a draining node does not ring',
    );
  });
});
