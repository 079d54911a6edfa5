// The operator side of bench:load-signal: follows the pods' call counts by MODE, `stream` (the
// operator's PodLoadTracker: one `GET /status?watch=1` per pod) or `poll` (`GET /status` of each
// pod every second over keep-alive connections), and writes one line per change it sees (pod,
// value, time) to SEEN. Usage: watcher.ts MODE PORTS_JSON SEEN
import { createWriteStream } from 'node:fs';
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../operator/src/runtime/log.js';
import { PodLoadTracker, parseStatusLine } from '../../operator/src/scaling/pod-load-tracker.js';

const POLL_MS = 1000;
const [mode = 'stream', portsJson = '[]', seenPath = '/dev/null'] = process.argv.slice(2);
const ports = JSON.parse(portsJson) as number[];
const out = createWriteStream(seenPath);
const last = new Array<number>(ports.length).fill(0);
const seen = (i: number, value: number): void => {
  if (value === last[i]) return;
  last[i] = value;
  out.write(`${i} ${value} ${(performance.timeOrigin + performance.now()).toFixed(3)}\n`);
};

if (mode === 'stream') {
  const tracker = new PodLoadTracker({
    log: createLogger({}, 'error'),
    onChange: (key) => {
      const i = Number(key);
      const load = tracker.load(key);
      if (load !== undefined) seen(i, load.activeCalls);
    },
  });
  tracker.track(ports.map((port, i) => ({ key: String(i), url: `http://127.0.0.1:${port}` })));
} else {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  ports.forEach((port, i) => {
    const poll = (): void => {
      get({ host: '127.0.0.1', port, path: '/status', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const load = parseStatusLine(body);
          if (load !== undefined) seen(i, load.activeCalls);
        });
      }).on('error', () => undefined);
    };
    // Staggered over the period, like pollers started at different times.
    setTimeout(() => setInterval(poll, POLL_MS), (i * POLL_MS) / ports.length);
  });
}
process.stdout.write('watching\n');
process.on('SIGTERM', () => out.end(() => process.exit(0)));
