/**
 * Runs reference provider servers: binds a gRPC server on loopback, and when a server file is run
 * as its own process (`node --import tsx <file> --port 0`), prints `{"port": N}` on stdout and
 * stops on SIGTERM/SIGINT.
 */
import * as grpc from '@grpc/grpc-js';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Run around every call (e.g. to trace it from the client's W3C trace context). */
  interceptors?: grpc.ServerInterceptor[];
}

export async function serve(
  add: (server: grpc.Server) => void,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const server = new grpc.Server(
    options.interceptors ? { interceptors: options.interceptors } : undefined,
  );
  add(server);
  const address = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}

/** True when `moduleUrl` is the process's entry file. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Entry point of a server process: `start` gets the parsed flags. */
export function runAsProcess(
  flags: Record<string, { type: 'string' }>,
  start: (values: Record<string, string | undefined>) => Promise<RunningServer>,
): void {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, ...flags },
  });
  start(values as Record<string, string | undefined>)
    .then((running) => {
      process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
      const stop = (): void => void running.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `${JSON.stringify({ level: 'error', msg: 'server failed to start', error: String(error) })}\n`,
      );
      process.exit(1);
    });
}
