// A real OTLP receiver for the trace tests: Jaeger v2 (an OpenTelemetry Collector distribution,
// built from source by scripts/ensure-jaeger.sh and cached) on loopback, with in-memory storage.
// It receives OTLP over gRPC and answers Jaeger's query API, which is what an SRE's Jaeger UI
// reads: the traces of a service, each with its spans, parent references, tags and process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts, spawnProcess, waitUntilReady } from '@voicefleet/devtools/processes';
import { findGoBuiltBinary } from './go-built-binary.js';

const found = findGoBuiltBinary('jaeger');
/** For `describe(name, { skip: jaegerSkipReason })`; under CI=true the binary is built instead. */
export const jaegerSkipReason: string | false =
  'path' in found ? false : `skipped: ${found.missing}`;

/** A span as Jaeger's query API returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

export interface RunningJaeger {
  /** OTLP/gRPC endpoint, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint: string;
  /** The traces of a service (Jaeger's `/api/traces?service=`), newest first. */
  traces(service: string): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

export async function startJaeger(): Promise<RunningJaeger> {
  if (!('path' in found)) throw new Error(found.missing);
  const dir = mkdtempSync(join(tmpdir(), 'vf-jaeger-'));
  const [otlpPort, queryPort, queryGrpcPort] = await freePorts(3);
  writeFileSync(
    join(dir, 'config.yaml'),
    stringify({
      service: {
        extensions: ['jaeger_storage', 'jaeger_query'],
        pipelines: {
          traces: {
            receivers: ['otlp'],
            processors: ['batch'],
            exporters: ['jaeger_storage_exporter'],
          },
        },
        telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
      },
      extensions: {
        jaeger_storage: { backends: { memory: { memory: { max_traces: 10_000 } } } },
        jaeger_query: {
          storage: { traces: 'memory' },
          http: { endpoint: `127.0.0.1:${queryPort}` },
          grpc: { endpoint: `127.0.0.1:${queryGrpcPort}` },
        },
      },
      receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${otlpPort}` } } } },
      processors: { batch: { timeout: '100ms' } },
      exporters: { jaeger_storage_exporter: { trace_storage: 'memory' } },
    }),
  );
  const proc = spawnProcess({
    name: 'jaeger',
    command: found.path,
    args: [`--config=${join(dir, 'config.yaml')}`],
    logPath: join(dir, 'jaeger.log'),
    cwd: dir,
  });
  const queryUrl = `http://127.0.0.1:${queryPort}`;
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(proc, async () => (await fetch(`${queryUrl}/api/services`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    otlpEndpoint: `http://127.0.0.1:${otlpPort}`,
    stop,
    async traces(service) {
      const res = await fetch(
        `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=100&lookback=1h`,
      );
      if (!res.ok) throw new Error(`jaeger /api/traces: HTTP ${res.status}`);
      return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
    },
  };
}
