// A real Prometheus (Debian `prometheus`, installed by scripts/ensure-system-packages.sh) on
// loopback: it scrapes the given targets every second, evaluates the given rule files every
// second, and answers instant queries through its HTTP API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, spawnProcess, waitUntilReady } from '@voicefleet/devtools/processes';

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query's vector; throws on a query Prometheus refuses. */
  query(expr: string): Promise<PromSample[]>;
  stop(): Promise<void>;
}

/** For `describe(..., { skip })`: the binary is there, or why not (an error under CI=true). */
export function prometheusSkipReason(): string | false {
  if (spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0) return false;
  if (process.env.CI === 'true')
    throw new Error('prometheus is not installed: run scripts/ensure-system-packages.sh');
  return 'skipped: prometheus is not installed (Debian package prometheus)';
}

export async function startPrometheus(o: {
  /** host:port of each /metrics target (job `voicefleet`). */
  targets: readonly string[];
  /** name -> rule file text. */
  rules?: Record<string, string>;
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'vf-prometheus-'));
  const ruleFiles = Object.entries(o.rules ?? {}).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: [{ job_name: 'voicefleet', static_configs: [{ targets: o.targets }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    logPath: join(dir, 'prometheus.log'),
    cwd: dir,
  });
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(proc, async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    stop,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: {
          resultType: string;
          result: { metric: Record<string, string>; value: [number, string] }[];
        };
      };
      if (body.status !== 'success' || body.data?.resultType !== 'vector')
        throw new Error(`query ${expr}: ${body.error ?? body.data?.resultType}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
  };
}
