/**
 * Process entry of the media node: loads `MediaNodeConfig` from the file named by
 * `VOICEFLEET_CONFIG` (environment overrides win), starts tracing and the server, and turns
 * SIGTERM / SIGINT into drain. Exits 0 when drained, 2 on bad configuration.
 */
import { readFileSync } from 'node:fs';
import { MediaNodeConfigError, loadMediaNodeConfig, type MediaNodeConfig } from '@voicefleet/api';
import { tuneGarbageCollector } from './gc-tuning.js';
import { createJsonLogger, logLevelFromEnv } from '../telemetry/log.js';
import { startMediaNodeServer } from './server.js';
import { formatStacksUnmapped } from './stack-traces.js';
import { startTracing } from '@voicefleet/api/telemetry';

function loadConfig(): MediaNodeConfig {
  const path = process.env['VOICEFLEET_CONFIG'];
  if (!path) {
    process.stderr.write(
      'media-node: set VOICEFLEET_CONFIG to the path of the media-node config file\n',
    );
    process.exit(2);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    process.stderr.write(
      `media-node: cannot read VOICEFLEET_CONFIG (${path}): ${(error as Error).message}\n`,
    );
    process.exit(2);
  }
  try {
    return loadMediaNodeConfig(text, process.env);
  } catch (error) {
    if (error instanceof MediaNodeConfigError) {
      process.stderr.write(`media-node: ${path}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const gcFlags = tuneGarbageCollector();
  const config = loadConfig();
  const log = createJsonLogger({
    level: logLevelFromEnv(process.env['VOICEFLEET_LOG_LEVEL']),
    base: {
      component: 'media-node',
      agent: `${config.agent.namespace}/${config.agent.name}`,
      region: config.region,
    },
  });
  const tracing = await startTracing(process.env, 'voicefleet-media-node', {
    'voicefleet.agent': config.agent.name,
    'voicefleet.namespace': config.agent.namespace,
    'voicefleet.region': config.region,
  });
  const server = await startMediaNodeServer(config, {
    log,
    tracer: tracing.tracer,
    env: process.env,
  });
  if (gcFlags.length > 0) log.info('garbage collector tuned for one cpu', { flags: gcFlags });
  formatStacksUnmapped();
  let exiting = false;
  const exit = async (reason: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    log.info('media node exiting', { reason });
    await server.close();
    await tracing.shutdown();
    process.exit(0);
  };
  server.node.on('drained', ({ reason }) => void exit(`drained-${reason}`));
  const onSignal = (signal: string) => () => {
    log.info('signal received, draining', { signal });
    server.node.drain();
  };
  process.on('SIGTERM', onSignal('SIGTERM'));
  process.on('SIGINT', onSignal('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `media-node: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (error instanceof Error && error.cause !== undefined)
    process.stderr.write(
      `  cause: ${error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)}\n`,
    );
  process.exit(1);
});
