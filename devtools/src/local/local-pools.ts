// What the local fleet should run for a folder of manifests: one pool per (agent, region) whose
// edge is up, each with the media-node config the operator would render for it, bent to loopback
// (ports chosen per node, the region's own local edge), the drain deadline capped locally, and the
// scaling policy its size follows (./local-scaling.ts). Pure: manifests and edge addresses in,
// pools and problems out.
import { createHash } from 'node:crypto';
import type { VoiceAgent } from '@voicefleet/api';
import { renderMediaNodeConfig, type PoolPolicy } from '@voicefleet/operator';
import { poolPolicy } from './local-scaling.js';
import type { ManifestFolder } from './manifest-folder.js';
import type { DesiredPool } from './pool-plan.js';

/** A pool to run; its size comes from the calls on it, by `policy`. */
export interface LocalPool extends Omit<DesiredPool, 'replicas'> {
  policy: PoolPolicy;
  agent: VoiceAgent;
  region: string;
  config: Record<string, unknown>;
  /** Env vars the Deployment would fill from Secrets (provider API keys). */
  secretEnv: Record<string, string>;
  /** Seconds a draining node keeps its calls before it hangs them up with BYE. */
  drainSeconds: number;
}

export interface LocalPoolsInput {
  manifests: Pick<ManifestFolder, 'agents' | 'secrets'>;
  /** The SIP URI media nodes use for each region's local edge; a region without one gets no pool yet. */
  edges: ReadonlyMap<string, string>;
  /** `voicefleet dev --drain-timeout`: the longest local drain, whatever the agent allows. */
  drainCapSeconds?: number;
}

export interface LocalPools {
  pools: LocalPool[];
  /** Problems by what they are about (a missing Secret key). */
  problems: Map<string, string>;
}

export const nameOf = (o: { metadata: { name?: string } }): string => o.metadata.name ?? '';
export const nsOf = (o: { metadata: { namespace?: string } }): string =>
  o.metadata.namespace ?? 'default';

/** Every region some agent runs in, in the order the manifests name them. */
export function regionsOf(agents: readonly VoiceAgent[]): string[] {
  return [...new Set(agents.flatMap((a) => a.spec.regions.map((r) => r.name)))];
}

export function desiredLocalPools(input: LocalPoolsInput): LocalPools {
  const { agents, secrets } = input.manifests;
  const out: LocalPools = { pools: [], problems: new Map() };
  for (const agent of agents) {
    for (const region of agent.spec.regions) {
      const edgeUri = input.edges.get(region.name);
      if (edgeUri === undefined) continue;
      const rendered = renderMediaNodeConfig(
        {
          metadata: { name: nameOf(agent), namespace: nsOf(agent), uid: 'local' },
          spec: agent.spec,
        },
        region.name,
        { edgeUri },
      );
      const drainSeconds = Math.min(
        agent.spec.drainTimeoutSeconds,
        input.drainCapSeconds ?? Number.POSITIVE_INFINITY,
      );
      const config = {
        ...rendered.config,
        sip: { host: '127.0.0.1', port: 0, advertisedHost: '127.0.0.1' },
        http: { host: '127.0.0.1', port: 0 },
        metrics: { host: '127.0.0.1', port: 0 },
        rtp: { host: '127.0.0.1', portMin: 0, portMax: 0 },
        drain: { deadlineSeconds: drainSeconds },
      };
      const secretEnv: Record<string, string> = {};
      for (const { env, secret } of rendered.secretEnv) {
        const found = secrets.find((s) => s.namespace === nsOf(agent) && s.name === secret.name);
        const value = found?.data[secret.key];
        if (value !== undefined) secretEnv[env] = value;
        else {
          out.problems.set(
            `secret ${secret.name}/${secret.key}`,
            `${nsOf(agent)}/${nameOf(agent)}: Secret ${secret.name} has no key ${secret.key}`,
          );
        }
      }
      const configHash = createHash('sha256')
        .update(JSON.stringify([config, Object.keys(secretEnv).sort()]))
        .digest('hex')
        .slice(0, 12);
      out.pools.push({
        key: `${nsOf(agent)}/${nameOf(agent)}/${region.name}`,
        policy: poolPolicy(agent.spec.capacity, region),
        configHash,
        agent,
        region: region.name,
        config,
        secretEnv,
        drainSeconds,
      });
    }
  }
  return out;
}
