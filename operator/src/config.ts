// Operator configuration from flags and environment (flags win). Bad values fail with a message
// saying which flag or variable to fix.
import { parseArgs } from 'node:util';
import { DEFAULT_RUNBOOK_BASE_URL } from './monitoring/render.js';
import type {
  MediaNetworkPolicyOptions,
  NetworkPolicyPeer,
} from './voice-agent/desired-network-policy.js';

export interface OperatorConfig {
  /** Path of a kubeconfig; undefined uses the in-cluster service account. */
  kubeconfig: string | undefined;
  regions: string[];
  /** Watch one namespace; undefined watches all. */
  namespace: string | undefined;
  /** The operator's own namespace (the release's): its Lease and the edge's set-id ConfigMap. */
  operatorNamespace: string;
  leaderElection: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  identity: string;
  metricsHost: string;
  metricsPort: number;
  mediaNodeImage: string;
  /** OTLP gRPC endpoint media pods send their call traces to; undefined: no tracing. */
  mediaOtlpEndpoint: string | undefined;
  multiRegionCluster: boolean;
  /**
   * Where media nodes send outbound calls: `sip:<IP>:<port>` (a media node cannot resolve names;
   * a bare cluster has no DNS). Ignored when `edgeService` is set: its cluster IP is used instead.
   */
  edgeUri: string;
  /** The edge's internal Service, resolved to its cluster IP at start (the Helm chart's way). */
  edgeService: { namespace: string; name: string; port: number } | undefined;
  workers: number;
  /** Seconds a lease is valid without renewal. */
  leaseDurationSeconds: number;
  /** Edge sync: undefined when no Kamailio is configured (then no edge is programmed). */
  edge: EdgeConfig | undefined;
  /** Per-agent PrometheusRules and PodMonitors: undefined when not managed. */
  monitoring: MonitoringConfig | undefined;
  /** A NetworkPolicy per media pool: undefined when none is written. */
  mediaNetworkPolicy: MediaNetworkPolicyOptions | undefined;
}

export interface MonitoringConfig {
  /** Labels on every PrometheusRule and PodMonitor, for Prometheus's rule/monitor selectors. */
  labels: Record<string, string>;
  /** Alerts link `<runbookBaseUrl>#<alert name>`. */
  runbookBaseUrl: string;
}

export interface EdgeConfig {
  /** Kamailio instances given directly: JSON-RPC URL and the owned region each one serves. */
  endpoints: { region: string; rpcUrl: string }[];
  /** Kamailio pods found by label in a namespace (the Helm chart's way). */
  discover: { namespace: string; labelSelector: string; port: number } | undefined;
  /** Token of the control port; from the environment only, never a flag. */
  token: string;
  peerEdges: string[];
  /** Name of the ConfigMap (in the operator's namespace) that keeps the dispatcher set ids. */
  setIdsConfigMap: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const REGION = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `sip:` + an IPv4 address or a bracketed IPv6 address + a port. */
const EDGE_URI = /^sip:(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/;
const EDGE_SERVICE = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9]*):(\d{1,5})$/;

export const USAGE = `voicefleet operator

  --kubeconfig PATH                 kubeconfig (env KUBECONFIG; default: in-cluster service account)
  --regions a,b                     regions this instance runs media pools in (env VOICEFLEET_REGIONS, required)
  --namespace NS                    watch one namespace (env VOICEFLEET_NAMESPACE; default: all)
  --operator-namespace NS           the operator's own namespace: Lease, edge set ids (env POD_NAMESPACE; default: default)
  --leader-election-namespace NS    namespace of the Lease (default: the operator's namespace)
  --leader-election-id NAME         name of the Lease (default: voicefleet-operator)
  --no-leader-election              run controllers without a Lease (one instance only)
  --identity ID                     holder identity (env POD_NAME; default: hostname-pid)
  --metrics-port N                  /metrics, /healthz, /readyz port (env VOICEFLEET_METRICS_PORT; default 8080; 0 = any)
  --metrics-host HOST               bind address of that port (default 0.0.0.0)
  --media-node-image IMAGE          default media-node image (env VOICEFLEET_MEDIA_NODE_IMAGE)
  --media-otlp-endpoint URL         OTLP/gRPC collector media pods send one trace per call to, e.g.
                                    http://otel-collector.monitoring:4317 (env VOICEFLEET_MEDIA_OTLP_ENDPOINT;
                                    default: no traces)
  --multi-region-cluster            pin media pods to their region (node affinity on topology.kubernetes.io/region)
  --edge-uri URI                    sip:<IP>:<port> media nodes send outbound calls to (env VOICEFLEET_EDGE_URI; default sip:127.0.0.1:5070)
  --edge-service NS/NAME:PORT       ... or the edge's internal Service, used by its cluster IP (env VOICEFLEET_EDGE_SERVICE)
  --workers N                       parallel reconciles per controller (default 4)
  --lease-duration-seconds N        leader lease duration (default 15)
  --edge-rpc-url [REGION=]URL[,...] Kamailio JSON-RPC endpoints to program, each for a region (default:
                                    the first of --regions) (env VOICEFLEET_EDGE_RPC_URLS)
  --edge-namespace NS               find Kamailio pods in NS (env VOICEFLEET_EDGE_NAMESPACE) ...
  --edge-selector LABELS            ... by these labels (env VOICEFLEET_EDGE_SELECTOR) ...
  --edge-control-port N             ... on this control port (env VOICEFLEET_EDGE_CONTROL_PORT; default 5090)
  --peer-edges URI[,URI]            SIP URIs of other regions' edges (env VOICEFLEET_PEER_EDGES)
  --edge-set-ids-configmap NAME     ConfigMap keeping the edge's set ids (env VOICEFLEET_EDGE_SET_IDS_CONFIGMAP;
                                    default voicefleet-edge-sets)
  --manage-monitoring               write each agent's PrometheusRule and PodMonitor when the
                                    monitoring.coreos.com CRDs exist (env VOICEFLEET_MANAGE_MONITORING=true)
  --monitoring-labels K=V[,K=V]     labels on them, for Prometheus's ruleSelector and podMonitorSelector
                                    (env VOICEFLEET_MONITORING_LABELS)
  --runbook-base-url URL            alerts link URL#<alert name> (env VOICEFLEET_RUNBOOK_BASE_URL;
                                    default ${DEFAULT_RUNBOOK_BASE_URL})
  --media-network-policy            write a NetworkPolicy per media pool: SIP from the edge pods only (needs
                                    --edge-selector), the HTTP control port from the operator pods only, the
                                    metrics port from --media-metrics-from (env VOICEFLEET_MEDIA_NETWORK_POLICY=true)
  --operator-selector LABELS        the operator's own pods, in its namespace (env VOICEFLEET_OPERATOR_SELECTOR)
  --media-metrics-from JSON         NetworkPolicy peers on the media pods' metrics port, e.g. Prometheus, as a
                                    JSON array (env VOICEFLEET_MEDIA_METRICS_FROM; default []: any peer)
  --media-sip-from JSON             more NetworkPolicy peers SIP may come from, e.g. the nodes when the edge runs
                                    in the host network (env VOICEFLEET_MEDIA_SIP_FROM; default [])
  --media-rtp-from JSON             NetworkPolicy peers RTP may come from (env VOICEFLEET_MEDIA_RTP_FROM;
                                    default []: anywhere)
  env VOICEFLEET_EDGE_RPC_TOKEN     token of the Kamailio control port (required with an edge)
`;

/** The flags (`parseArgs` options); every one is described in USAGE. */
const OPTIONS = {
  kubeconfig: { type: 'string' },
  regions: { type: 'string' },
  namespace: { type: 'string' },
  'operator-namespace': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'no-leader-election': { type: 'boolean' },
  identity: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'media-node-image': { type: 'string' },
  'media-otlp-endpoint': { type: 'string' },
  'multi-region-cluster': { type: 'boolean' },
  'edge-uri': { type: 'string' },
  'edge-service': { type: 'string' },
  workers: { type: 'string' },
  'lease-duration-seconds': { type: 'string' },
  'edge-rpc-url': { type: 'string' },
  'edge-namespace': { type: 'string' },
  'edge-selector': { type: 'string' },
  'edge-control-port': { type: 'string' },
  'peer-edges': { type: 'string' },
  'edge-set-ids-configmap': { type: 'string' },
  'manage-monitoring': { type: 'boolean' },
  'monitoring-labels': { type: 'string' },
  'runbook-base-url': { type: 'string' },
  'media-network-policy': { type: 'boolean' },
  'operator-selector': { type: 'string' },
  'media-metrics-from': { type: 'string' },
  'media-rtp-from': { type: 'string' },
  'media-sip-from': { type: 'string' },
} as const;

export function parseConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  hostname = 'operator',
): OperatorConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: OPTIONS,
    }));
  } catch (cause) {
    throw new ConfigError(`${(cause as Error).message}\n\n${USAGE}`, { cause });
  }
  const str = (flag: string, envName?: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string' && v !== '') return v;
    const e = envName === undefined ? undefined : env[envName];
    return e !== undefined && e !== '' ? e : undefined;
  };
  const int = (
    flag: string,
    envName: string | undefined,
    def: number,
    min: number,
    max: number,
  ): number => {
    const raw = str(flag, envName);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`--${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };

  const regions = (str('regions', 'VOICEFLEET_REGIONS') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (regions.length === 0)
    throw new ConfigError('set --regions (or VOICEFLEET_REGIONS), e.g. --regions us-east-1');
  const bad = regions.filter((r) => !REGION.test(r) || r.length > 63);
  if (bad.length > 0)
    throw new ConfigError(
      `--regions: "${bad.join('", "')}" is not a region name (lowercase letters, digits, dashes)`,
    );

  const edgeUri = str('edge-uri', 'VOICEFLEET_EDGE_URI') ?? 'sip:127.0.0.1:5070';
  if (!EDGE_URI.test(edgeUri))
    throw new ConfigError(
      `--edge-uri must be sip:<IP address>:<port> (media nodes do not resolve names), got "${edgeUri}"`,
    );
  const edgeServiceRaw = str('edge-service', 'VOICEFLEET_EDGE_SERVICE');
  let edgeService: OperatorConfig['edgeService'];
  if (edgeServiceRaw !== undefined) {
    const m = EDGE_SERVICE.exec(edgeServiceRaw);
    if (m === null)
      throw new ConfigError(
        `--edge-service must be NAMESPACE/NAME:PORT (the edge's internal Service), got "${edgeServiceRaw}"`,
      );
    edgeService = { namespace: m[1]!, name: m[2]!, port: Number(m[3]) };
  }

  const namespace = str('namespace', 'VOICEFLEET_NAMESPACE');
  if (namespace?.includes(',')) {
    throw new ConfigError(`--namespace takes one namespace (or none for all), got "${namespace}"`);
  }
  const list = (flag: string, envName: string) =>
    (str(flag, envName) ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const rpcUrls = list('edge-rpc-url', 'VOICEFLEET_EDGE_RPC_URLS');
  const edgeSelector = str('edge-selector', 'VOICEFLEET_EDGE_SELECTOR');
  let edge: EdgeConfig | undefined;
  if (rpcUrls.length > 0 || edgeSelector !== undefined) {
    const token = env['VOICEFLEET_EDGE_RPC_TOKEN'] ?? '';
    if (token === '')
      throw new ConfigError(
        'set VOICEFLEET_EDGE_RPC_TOKEN to the token of the Kamailio control port',
      );
    const endpoints = rpcUrls.map((entry) => edgeEndpoint(entry, regions));
    edge = {
      endpoints,
      discover:
        edgeSelector === undefined
          ? undefined
          : {
              namespace: str('edge-namespace', 'VOICEFLEET_EDGE_NAMESPACE') ?? 'default',
              labelSelector: edgeSelector,
              port: int('edge-control-port', 'VOICEFLEET_EDGE_CONTROL_PORT', 5090, 1, 65535),
            },
      token,
      peerEdges: list('peer-edges', 'VOICEFLEET_PEER_EDGES'),
      setIdsConfigMap:
        str('edge-set-ids-configmap', 'VOICEFLEET_EDGE_SET_IDS_CONFIGMAP') ??
        'voicefleet-edge-sets',
    };
  }
  const operatorNamespace = str('operator-namespace', 'POD_NAMESPACE') ?? 'default';
  const monitoring =
    values['manage-monitoring'] === true || env['VOICEFLEET_MANAGE_MONITORING'] === 'true'
      ? monitoringConfig(
          list('monitoring-labels', 'VOICEFLEET_MONITORING_LABELS'),
          str('runbook-base-url', 'VOICEFLEET_RUNBOOK_BASE_URL'),
        )
      : undefined;

  const mediaNetworkPolicy =
    values['media-network-policy'] === true || env['VOICEFLEET_MEDIA_NETWORK_POLICY'] === 'true'
      ? mediaNetworkPolicyOf(str, edge?.discover, operatorNamespace)
      : undefined;

  return {
    edge,
    monitoring,
    mediaNetworkPolicy,
    kubeconfig: str('kubeconfig', 'KUBECONFIG'),
    regions: [...new Set(regions)],
    namespace,
    operatorNamespace,
    leaderElection: values['no-leader-election'] !== true,
    leaderElectionNamespace: str('leader-election-namespace') ?? operatorNamespace,
    leaderElectionId: str('leader-election-id') ?? 'voicefleet-operator',
    identity: str('identity', 'POD_NAME') ?? `${hostname}-${process.pid}`,
    metricsHost: str('metrics-host') ?? '0.0.0.0',
    metricsPort: int('metrics-port', 'VOICEFLEET_METRICS_PORT', 8080, 0, 65535),
    mediaNodeImage:
      str('media-node-image', 'VOICEFLEET_MEDIA_NODE_IMAGE') ?? 'voicefleet/media-node:0.1.0',
    mediaOtlpEndpoint: otlpEndpoint(str('media-otlp-endpoint', 'VOICEFLEET_MEDIA_OTLP_ENDPOINT')),
    multiRegionCluster:
      values['multi-region-cluster'] === true || env['VOICEFLEET_MULTI_REGION_CLUSTER'] === 'true',
    edgeUri,
    edgeService,
    workers: int('workers', 'VOICEFLEET_WORKERS', 4, 1, 64),
    leaseDurationSeconds: int('lease-duration-seconds', undefined, 15, 2, 300),
  };
}

/** `[REGION=]URL`: an edge given by URL serves the named owned region, or the first one. */
function edgeEndpoint(
  entry: string,
  regions: readonly string[],
): { region: string; rpcUrl: string } {
  const m = /^([a-z0-9][-a-z0-9]*)=(.*)$/.exec(entry);
  const region = m?.[1] ?? regions[0] ?? '';
  const rpcUrl = m?.[2] ?? entry;
  if (!/^https?:\/\/\S+$/.test(rpcUrl))
    throw new ConfigError(`--edge-rpc-url: "${rpcUrl}" is not an http(s) URL`);
  if (!regions.includes(region))
    throw new ConfigError(
      `--edge-rpc-url: region "${region}" of ${rpcUrl} is not one of --regions (${regions.join(', ')})`,
    );
  return { region, rpcUrl };
}

function otlpEndpoint(url: string | undefined): string | undefined {
  if (url !== undefined && !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(url))
    throw new ConfigError(
      `--media-otlp-endpoint must be an http(s) URL of an OTLP/gRPC collector (scheme, host and port), got "${url}"`,
    );
  return url;
}

function monitoringConfig(labels: string[], runbook: string | undefined): MonitoringConfig {
  const runbookBaseUrl = runbook ?? DEFAULT_RUNBOOK_BASE_URL;
  if (!/^https?:\/\/\S+$/.test(runbookBaseUrl))
    throw new ConfigError(`--runbook-base-url must be an http(s) URL, got "${runbookBaseUrl}"`);
  return { labels: labelMap('--monitoring-labels', labels), runbookBaseUrl };
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** `K=V` entries as Kubernetes labels; a bad one names itself and its flag. */
function labelMap(flag: string, entries: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const key = at < 0 ? entry : entry.slice(0, at);
    const value = at < 0 ? '' : entry.slice(at + 1);
    if (at < 0 || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value) || value.length > 63)
      throw new ConfigError(
        `${flag}: "${entry}" is not a label KEY=VALUE (several joined by commas)`,
      );
    labels[key] = value;
  }
  return labels;
}

/** The media pools' NetworkPolicy peers: the edge's and the operator's pods, and the listed ones. */
function mediaNetworkPolicyOf(
  str: (flag: string, envName?: string) => string | undefined,
  edgePods: { namespace: string; labelSelector: string } | undefined,
  operatorNamespace: string,
): MediaNetworkPolicyOptions {
  // --media-<port>-from, env VOICEFLEET_MEDIA_<PORT>_FROM
  const listed = (port: 'sip' | 'metrics' | 'rtp') => {
    const flag = `media-${port}-from`;
    return peers(flag, str(flag, `VOICEFLEET_MEDIA_${port.toUpperCase()}_FROM`));
  };
  return {
    edge: peerPods('--edge-selector', edgePods?.namespace, edgePods?.labelSelector),
    operator: peerPods(
      '--operator-selector',
      operatorNamespace,
      str('operator-selector', 'VOICEFLEET_OPERATOR_SELECTOR'),
    ),
    sipFrom: listed('sip'),
    metricsFrom: listed('metrics'),
    rtpFrom: listed('rtp'),
  };
}

/** Pods of a media policy's peer: a namespace and an equality label selector (`K=V,K=V`). */
function peerPods(
  flag: string,
  namespace: string | undefined,
  selector: string | undefined,
): { namespace: string; labels: Record<string, string> } {
  if (namespace === undefined || selector === undefined)
    throw new ConfigError(`--media-network-policy needs ${flag}: the pods it admits`);
  const entries = selector.split(',').map((x) => x.trim());
  return { namespace, labels: labelMap(flag, entries) };
}

/** A JSON array of NetworkPolicy peers (the API server checks each one's fields). */
function peers(flag: string, raw: string | undefined): NetworkPolicyPeer[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const peerKeys = ['podSelector', 'namespaceSelector', 'ipBlock'];
  const isPeer = (p: unknown): boolean =>
    typeof p === 'object' &&
    p !== null &&
    Object.keys(p).length > 0 &&
    Object.keys(p).every((k) => peerKeys.includes(k));
  if (!Array.isArray(parsed) || !parsed.every(isPeer))
    throw new ConfigError(
      `--${flag} must be a JSON array of NetworkPolicy peers ({"namespaceSelector": ...}, {"podSelector": ...}, {"ipBlock": ...}), got ${JSON.stringify(raw)}`,
    );
  return parsed as NetworkPolicyPeer[];
}
