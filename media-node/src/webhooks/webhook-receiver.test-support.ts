// A webhook receiver for tests: a real HTTP server on loopback that checks every signature,
// refuses its first `failFirst` requests with 503, and keeps each delivery id it accepted once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from './signature.js';

export const KEY = 'test-signing-key';

export interface Received {
  id: string;
  type: string;
  body: { id: string; type: string; callId: string; data: Record<string, unknown> };
}

/** A webhook receiver that refuses its first `failFirst` requests with 503. */
export class Receiver {
  readonly accepted: Received[] = [];
  readonly acceptedIds = new Map<string, number>();
  requests = 0;
  badSignatures = 0;
  #server: Server | undefined;
  #failFirst: number;

  constructor(failFirst = 0) {
    this.#failFirst = failFirst;
  }

  async start(port = 0): Promise<number> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        const body = Buffer.concat(chunks).toString('utf8');
        const h = (name: string) => String(req.headers[name] ?? '');
        if (
          !verifyWebhookSignature(
            KEY,
            h('x-voicefleet-timestamp'),
            body,
            h('x-voicefleet-signature'),
          )
        ) {
          this.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        if (this.requests <= this.#failFirst) {
          res.writeHead(503).end();
          return;
        }
        const id = h('x-voicefleet-delivery');
        this.acceptedIds.set(id, (this.acceptedIds.get(id) ?? 0) + 1);
        if (this.acceptedIds.get(id) === 1) {
          this.accepted.push({
            id,
            type: h('x-voicefleet-event'),
            body: JSON.parse(body) as Received['body'],
          });
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
