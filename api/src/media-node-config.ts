/** Loads the media-node configuration: YAML file, then environment overrides, then validation. */
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { MediaNodeConfig } from './schema/media-node-config.js';
import { extensionErrors } from './validate/extension-errors.js';
import type { FieldError } from './validate/field-error.js';
import { schemaErrors } from './validate/schema-errors.js';

/** Environment variables that win over the file, and the field each one sets. */
export const MEDIA_NODE_ENV_OVERRIDES = {
  VOICEFLEET_SIP_PORT: ['sip', 'port'],
  VOICEFLEET_HTTP_PORT: ['http', 'port'],
  VOICEFLEET_METRICS_PORT: ['metrics', 'port'],
  VOICEFLEET_ADVERTISED_HOST: ['sip', 'advertisedHost'],
  VOICEFLEET_RTP_PORT_MIN: ['rtp', 'portMin'],
  VOICEFLEET_RTP_PORT_MAX: ['rtp', 'portMax'],
} as const;

/** The parts of the config every pod takes as the schema defaults them: listen addresses, timeouts. */
export type MediaNodeListenConfig = Pick<
  MediaNodeConfig,
  'sip' | 'rtp' | 'http' | 'metrics' | 'media'
>;

/** The schema's defaults for the sections the operator does not decide (ports, bind hosts). */
export function mediaNodeListenDefaults(): MediaNodeListenConfig {
  const p = MediaNodeConfig.properties;
  return {
    sip: Value.Default(p.sip, {}) as MediaNodeConfig['sip'],
    rtp: Value.Default(p.rtp, {}) as MediaNodeConfig['rtp'],
    http: Value.Default(p.http, {}) as MediaNodeConfig['http'],
    metrics: Value.Default(p.metrics, {}) as MediaNodeConfig['metrics'],
    media: Value.Default(p.media, {}) as MediaNodeConfig['media'],
  };
}

export class MediaNodeConfigError extends Error {
  readonly issues: readonly FieldError[];
  constructor(issues: FieldError[], options?: ErrorOptions) {
    super(
      `invalid media-node config: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      options,
    );
    this.name = 'MediaNodeConfigError';
    this.issues = issues;
  }
}

export function loadMediaNodeConfig(
  text: string,
  env: Readonly<Record<string, string | undefined>> = {},
): MediaNodeConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    throw new MediaNodeConfigError([{ path: '', message: `not valid YAML: ${msg}` }], { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MediaNodeConfigError([{ path: '', message: 'the config must be a YAML mapping' }]);
  const value = Value.Default(MediaNodeConfig, Value.Clone(raw)) as Record<string, unknown>;
  const issues = applyEnv(value, env);
  const structural = schemaErrors(MediaNodeConfig, value);
  issues.push(...structural.errors);
  if (!structural.typeMismatch) {
    issues.push(...extensionErrors(MediaNodeConfig, value, '', true));
    const rtp = value.rtp as { portMin: number; portMax: number };
    if (rtp.portMin > rtp.portMax)
      issues.push({
        path: 'rtp.portMin',
        message: 'portMin must be less than or equal to portMax',
      });
  }
  if (issues.length > 0) throw new MediaNodeConfigError(issues);
  return value as MediaNodeConfig;
}

function applyEnv(
  value: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): FieldError[] {
  const issues: FieldError[] = [];
  for (const [name, [section, field]] of Object.entries(MEDIA_NODE_ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const target = value[section];
    if (typeof target !== 'object' || target === null) continue;
    if (field === 'advertisedHost') {
      (target as Record<string, unknown>)[field] = v;
    } else if (/^[0-9]{1,5}$/.test(v)) {
      (target as Record<string, unknown>)[field] = Number(v);
    } else {
      issues.push({
        path: `${section}.${field}`,
        message: `${name} must be a port number, got ${JSON.stringify(v)}`,
      });
    }
  }
  return issues;
}
