// The pod side of bench:load-signal: N media-node HTTP servers (the media node's own ops server,
// so `GET /status` and `GET /status?watch=1` are the real ones) on loopback, each reporting a
// call count. Told "go", it changes RATE counts per second for SECONDS, spread over the pods, and
// writes one line per change (pod, value, time) to CHANGES. Usage: pods.ts N RATE SECONDS CHANGES
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallEventBus } from '../../media-node/src/core/call-events.js';
import { boundPort, startOpsServer } from '../../media-node/src/node/http-server.js';
import { createJsonLogger } from '../../media-node/src/telemetry/log.js';

const [n = 100, rate = 10, seconds = 10] = process.argv.slice(2, 5).map(Number);
const changesPath = process.argv[5] ?? '/dev/null';
const log = createJsonLogger({ level: 'error' });
const calls = new Array<number>(n).fill(0);
const buses = calls.map(() => new CallEventBus());
const ports: number[] = [];
for (let i = 0; i < n; i++) {
  const server = await startOpsServer(
    {
      status: () => {
        const active = calls[i] ?? 0;
        return {
          activeCalls: active,
          capacity: 50,
          draining: false,
          accepting: true,
          inProgress: {
            calls: active,
            settingUp: 0,
            answeredOnArrival: 0,
            dialogs: active,
            serverTransactions: 0,
            clientTransactions: 0,
          },
        };
      },
      drain: () => undefined,
      placeCall: () => Promise.reject(new Error('not here')),
      outboundCall: () => undefined,
      cancelCall: () => Promise.resolve(undefined),
      events: buses[i] as CallEventBus,
      log,
    },
    '127.0.0.1',
    0,
  );
  ports.push(boundPort(server));
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);

const out = createWriteStream(changesPath);
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line !== 'go') continue;
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const i = (k * 7919) % n; // a different pod each time, all of them in turn
    calls[i] = (calls[i] ?? 0) + 1;
    const at = performance.timeOrigin + performance.now();
    buses[i]?.publish({ type: 'call.started', callId: `c${k}`, direction: 'inbound' });
    out.write(`${i} ${calls[i]} ${at.toFixed(3)}\n`);
  }
  await new Promise<void>((resolve) => out.end(resolve));
  process.stdout.write('done\n');
}
