// The desired children of a VoiceAgent in one region: media-node Deployment, headless Service,
// PodDisruptionBudget and ConfigMap (and the NetworkPolicy, desired-network-policy.ts). Pure builders; `apply` sends them with server-side apply.
import type {
  V1ConfigMap,
  V1Deployment,
  V1EnvVar,
  V1OwnerReference,
  V1PodDisruptionBudget,
  V1Service,
} from '@kubernetes/client-node';
import { API_VERSION, CONFIG_HASH_ANNOTATION, VOICE_AGENT_KIND } from '@voicefleet/api';
import { stringify } from 'yaml';
import type { ManagedMonitoring } from './desired-monitoring.js';
import type { MediaNetworkPolicyOptions } from './desired-network-policy.js';
import { stableHash } from '../runtime/apply-diff.js';
import type { AgentForConfig, RenderedConfig } from './media-node-config.js';
import { childLabels, childName, selectorLabels } from './child-names.js';
import { mediaPodResources } from './pod-resources.js';

export const REGION_TOPOLOGY_KEY = 'topology.kubernetes.io/region';
/** The user and group the media-node image runs as (images/media-node/Dockerfile). */
export const MEDIA_NODE_UID = 65532;
export const CONFIG_DIR = '/etc/voicefleet';
/** Seconds the pod keeps serving after deletion so the edge marks it draining first. */
export const PRE_STOP_SECONDS = 5;

export interface ChildOptions {
  image: string;
  multiRegionCluster: boolean;
  /** Monitoring managed per agent: a PrometheusRule and a PodMonitor when their CRDs exist. */
  monitoring?: ManagedMonitoring;
  /** A NetworkPolicy per pool admitting only the edge, the operator and the listed peers. */
  networkPolicy?: MediaNetworkPolicyOptions;
  /** OTLP/gRPC collector the pods send one trace per call to (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpEndpoint?: string;
}

export interface ChildContext {
  agent: AgentForConfig & { metadata: { uid: string } };
  region: string;
  /** The pool's size; undefined leaves `spec.replicas` to another scaler (capacity.scaling external). */
  replicas: number | undefined;
  config: RenderedConfig;
  options: ChildOptions;
}

export function ownerReference(agent: {
  metadata: { name: string; uid: string };
}): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: VOICE_AGENT_KIND,
    name: agent.metadata.name,
    uid: agent.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The pod's ports are the ones its config makes it listen on. */
const sipPort = (ctx: ChildContext): number => ctx.config.config.sip.port;
const httpPort = (ctx: ChildContext): number => ctx.config.config.http.port;
const metricsPort = (ctx: ChildContext): number => ctx.config.config.metrics.port;

function meta(ctx: ChildContext) {
  return {
    name: childName(ctx.agent.metadata.name, ctx.region),
    namespace: ctx.agent.metadata.namespace,
    labels: childLabels(ctx.agent.metadata.name, ctx.region),
    ownerReferences: [ownerReference(ctx.agent)],
  };
}

export function configYaml(config: RenderedConfig): string {
  return stringify(config.config, { sortMapEntries: false });
}

export function desiredConfigMap(ctx: ChildContext): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(ctx),
    data: { 'config.yaml': configYaml(ctx.config) },
  };
}

export function desiredService(ctx: ChildContext): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(ctx),
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(ctx.agent.metadata.name, ctx.region),
      ports: [
        { name: 'sip', port: sipPort(ctx), targetPort: sipPort(ctx), protocol: 'UDP' },
        { name: 'http', port: httpPort(ctx), targetPort: httpPort(ctx), protocol: 'TCP' },
      ],
    },
  };
}

export function desiredPodDisruptionBudget(ctx: ChildContext): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(ctx),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(ctx.agent.metadata.name, ctx.region) },
    },
  };
}

export function desiredDeployment(ctx: ChildContext): V1Deployment {
  const m = meta(ctx);
  const drain = ctx.agent.spec.drainTimeoutSeconds;
  const env: V1EnvVar[] = [
    { name: 'VOICEFLEET_CONFIG', value: `${CONFIG_DIR}/config.yaml` },
    { name: 'VOICEFLEET_ADVERTISED_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ...(ctx.options.otlpEndpoint !== undefined
      ? [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: ctx.options.otlpEndpoint }]
      : []),
    ...ctx.config.secretEnv.map((s) => ({
      name: s.env,
      valueFrom: { secretKeyRef: { name: s.secret.name, key: s.secret.key } },
    })),
  ];
  const affinity = ctx.options.multiRegionCluster
    ? {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: REGION_TOPOLOGY_KEY, operator: 'In', values: [ctx.region] },
                ],
              },
            ],
          },
        },
      }
    : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: m,
    spec: {
      ...(ctx.replicas !== undefined ? { replicas: ctx.replicas } : {}),
      selector: { matchLabels: selectorLabels(ctx.agent.metadata.name, ctx.region) },
      // Surge first: a rollout takes an old pod away (to drain its calls) only once its
      // successor is ready, so the pods taking calls never fall below the replicas.
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
      },
      template: {
        metadata: {
          labels: selectorLabels(ctx.agent.metadata.name, ctx.region),
          annotations: { [CONFIG_HASH_ANNOTATION]: stableHash(configYaml(ctx.config)) },
        },
        spec: {
          terminationGracePeriodSeconds: drain + PRE_STOP_SECONDS,
          ...(affinity !== undefined ? { affinity } : {}),
          // Spread over nodes and zones where the cluster can, so one node or zone lost takes
          // only its share of the calls; never left Pending for it (ScheduleAnyway).
          topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map(
            (topologyKey) => ({
              topologyKey,
              maxSkew: 1,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selectorLabels(ctx.agent.metadata.name, ctx.region) },
              matchLabelKeys: ['pod-template-hash'],
            }),
          ),
          // The image's own user; SIP on 5060 needs NET_BIND_SERVICE and nothing else.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: MEDIA_NODE_UID,
            runAsGroup: MEDIA_NODE_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'media-node',
              image:
                ctx.agent.spec.image !== undefined && ctx.agent.spec.image !== ''
                  ? ctx.agent.spec.image
                  : ctx.options.image,
              imagePullPolicy: 'IfNotPresent',
              env,
              resources: mediaPodResources(
                ctx.agent.spec.capacity.callsPerPod,
                ctx.agent.spec.resources,
              ),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
              },
              ports: [
                { name: 'sip', containerPort: sipPort(ctx), protocol: 'UDP' },
                { name: 'sip-tcp', containerPort: sipPort(ctx), protocol: 'TCP' },
                { name: 'http', containerPort: httpPort(ctx), protocol: 'TCP' },
                // GET /metrics alone: what the PodMonitor scrapes and the NetworkPolicy opens to Prometheus
                { name: 'metrics', containerPort: metricsPort(ctx), protocol: 'TCP' },
              ],
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'http' },
                periodSeconds: 2,
                failureThreshold: 1,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                periodSeconds: 10,
                failureThreshold: 3,
              },
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                // The recogniser's grammar files: the only writes, the root filesystem is read-only.
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: m.name } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}
