/**
 * A fake OpenAI-compatible chat server for tests and benchmarks: streams a reply token by token
 * over SSE with realistic delays, emits a `hangup` tool call when asked, and can be told to fail
 * (HTTP 500, or cutting the stream mid-reply). Listens on loopback only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FakeFailure = 'none' | 'http500' | 'disconnect';

export interface FakeOpenAiOptions {
  /** The reply to the last user message. */
  reply?: (lastUser: string) => { text: string; tool?: 'hangup' | 'transfer' };
  firstTokenMs?: number;
  tokenMs?: number;
  /** Called as each request comes in; what it returns, when the response has ended. */
  onRequest?: (req: IncomingMessage) => (() => void) | void;
}

export interface FakeOpenAiServer {
  url: string;
  /** Failure for the next requests (`times` of them, default all). */
  failNext(failure: FakeFailure, times?: number): void;
  requests: { messages: { role: string; content: string }[]; authorization: string | undefined }[];
  close(): Promise<void>;
}

const defaultReply = (said: string) =>
  /bye/i.test(said)
    ? { text: 'Goodbye!', tool: 'hangup' as const }
    : { text: `You said: ${said}. How else can I help?` };

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

export async function startFakeOpenAiServer(
  options: FakeOpenAiOptions = {},
): Promise<FakeOpenAiServer> {
  const reply = options.reply ?? defaultReply;
  let failure: FakeFailure = 'none';
  let failuresLeft = Infinity;
  const requests: FakeOpenAiServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const done = options.onRequest?.(req);
    if (done) res.once('close', done);
    void (async () => {
      const raw = await readBody(req);
      let body: { messages?: { role: string; content: string }[] };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        res.writeHead(400).end('{"error":{"message":"bad json"}}');
        return;
      }
      const messages = body.messages ?? [];
      requests.push({ messages, authorization: req.headers.authorization });
      const mode = failuresLeft > 0 ? failure : 'none';
      if (mode !== 'none') failuresLeft--;
      if (mode === 'http500') {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"error":{"message":"overloaded"}}');
        return;
      }
      const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const { text, tool } = reply(lastUser);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
      await sleep(options.firstTokenMs ?? 30);
      const tokens = text.split(/(?<=\s)/);
      for (const [i, token] of tokens.entries()) {
        if (res.destroyed) return;
        if (mode === 'disconnect' && i === Math.floor(tokens.length / 2)) {
          res.socket?.destroy();
          return;
        }
        send({ choices: [{ index: 0, delta: { content: token }, finish_reason: null }] });
        await sleep(options.tokenMs ?? 10);
      }
      if (tool) {
        send({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  {
                    index: 0,
                    id: 'call_1',
                    type: 'function',
                    function: { name: tool, arguments: '' },
                  },
                ],
              },
            },
          ],
        });
        send({
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] } },
          ],
        });
      }
      send({ choices: [{ index: 0, delta: {}, finish_reason: tool ? 'tool_calls' : 'stop' }] });
      res.end('data: [DONE]\n\n');
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    failNext(f, times = Infinity) {
      failure = f;
      failuresLeft = times;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
