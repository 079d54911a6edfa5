import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../runtime/log.js';
import { PodLoadTracker, parseStatusLine } from './pod-load-tracker.js';

const log = createLogger({}, 'error');

/** A stand-in for a media pod's HTTP server: each watcher gets the status lines it is fed. */
async function fakePod(): Promise<{
  url: string;
  server: Server;
  watchers: ServerResponse[];
  send(status: object): void;
  dropAll(): void;
}> {
  const watchers: ServerResponse[] = [];
  let current: object = { activeCalls: 0, capacity: 10, draining: false, accepting: true };
  const server = createServer((req, res) => {
    if (req.url !== '/status?watch=1') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify(current)}\n`);
    watchers.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    watchers,
    send(status) {
      current = status;
      for (const w of watchers) w.write(`${JSON.stringify(status)}\n`);
    },
    dropAll() {
      for (const w of watchers.splice(0)) w.destroy();
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('parseStatusLine', () => {
  it('reads what the media node writes and refuses anything else', () => {
    assert.deepEqual(
      parseStatusLine('{"activeCalls":3,"capacity":50,"draining":false,"accepting":true}'),
      {
        activeCalls: 3,
        capacity: 50,
        draining: false,
      },
    );
    for (const bad of [
      '',
      'x',
      '{}',
      '{"activeCalls":-1,"capacity":5}',
      '{"activeCalls":1.5,"capacity":5}',
      'null',
    ]) {
      assert.equal(parseStatusLine(bad), undefined, bad);
    }
  });
});

describe('PodLoadTracker', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('knows a pod’s calls as soon as it sends them, and forgets them when the stream drops', async () => {
    const pod = await fakePod();
    servers.push(pod.server);
    const changes: string[] = [];
    const tracker = new PodLoadTracker({
      onChange: (key) => changes.push(key),
      log,
      backoff: { baseMs: 20, capMs: 50 },
    });
    try {
      tracker.track([{ key: 'ns/pod-a', url: pod.url }]);
      await until(() => tracker.load('ns/pod-a') !== undefined, 'first status');
      assert.equal(tracker.load('ns/pod-a')?.activeCalls, 0);

      pod.send({ activeCalls: 4, capacity: 10, draining: false, accepting: true });
      await until(() => tracker.load('ns/pod-a')?.activeCalls === 4, 'the change');
      const before = changes.length;
      pod.send({ activeCalls: 4, capacity: 10, draining: false, accepting: true }); // heartbeat
      await sleep(50);
      assert.equal(changes.length, before, 'a heartbeat with the same status is no change');

      pod.dropAll();
      await until(() => tracker.load('ns/pod-a') === undefined, 'load forgotten');
      await until(() => tracker.load('ns/pod-a') !== undefined, 'reconnected');
      assert.equal(tracker.load('ns/pod-a')?.activeCalls, 4);
    } finally {
      tracker.stop();
    }
  });

  it('closes the streams of pods it no longer tracks', async () => {
    const pod = await fakePod();
    servers.push(pod.server);
    const tracker = new PodLoadTracker({ onChange: () => undefined, log });
    try {
      tracker.track([{ key: 'ns/pod-b', url: pod.url }]);
      await until(() => tracker.load('ns/pod-b') !== undefined, 'first status');
      tracker.track([]);
      assert.equal(tracker.size, 0);
      await until(
        () => pod.watchers.every((w) => w.destroyed || w.writableEnded || w.closed),
        'stream closed',
      );
      assert.equal(tracker.load('ns/pod-b'), undefined);
    } finally {
      tracker.stop();
    }
  });

  it('ends a stream that goes silent and opens a new one', async () => {
    const pod = await fakePod();
    servers.push(pod.server);
    const tracker = new PodLoadTracker({
      onChange: () => undefined,
      log,
      silenceMs: 100,
      backoff: { baseMs: 10, capMs: 20 },
    });
    try {
      tracker.track([{ key: 'ns/pod-c', url: pod.url }]);
      await until(() => pod.watchers.length >= 2, 'a second stream after the first went silent');
    } finally {
      tracker.stop();
    }
  });
});
