/** The two CustomResourceDefinitions, built from the TypeBox schemas, and their YAML text. */
import type { TObject } from '@sinclair/typebox';
import { stringify } from 'yaml';
import {
  CATEGORY,
  GROUP,
  SIP_TRUNK_KIND,
  SIP_TRUNK_PLURAL,
  SIP_TRUNK_SHORT_NAME,
  SIP_TRUNK_SINGULAR,
  VERSION,
  VOICE_AGENT_KIND,
  VOICE_AGENT_PLURAL,
  VOICE_AGENT_SHORT_NAME,
  VOICE_AGENT_SINGULAR,
} from '../constants.js';
import { SipTrunkStatus } from '../schema/sip-trunk-status.js';
import { SipTrunk, SipTrunkSpec } from '../schema/sip-trunk.js';
import { VoiceAgentStatus } from '../schema/voice-agent-status.js';
import { VoiceAgent, VoiceAgentSpec } from '../schema/voice-agent.js';
import { toStructural } from './structural.js';

interface Column {
  name: string;
  type: string;
  jsonPath: string;
  description: string;
  priority?: number;
}

interface CrdInput {
  /** The whole resource's schema: its own `x-kubernetes-validations` go on the CRD's root. */
  resource: TObject;
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  description: string;
  spec: TObject;
  status: TObject;
  columns: Column[];
}

const READY: Column = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the resource is ready.',
};
const AGE: Column = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

function crd(c: CrdInput) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${c.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: c.kind,
        listKind: `${c.kind}List`,
        plural: c.plural,
        singular: c.singular,
        shortNames: [c.shortName],
        categories: [CATEGORY],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: c.columns,
          schema: {
            openAPIV3Schema: {
              description: c.description,
              type: 'object',
              required: ['spec'],
              ...rootRules(c.resource),
              properties: {
                apiVersion: {
                  type: 'string',
                  description:
                    'APIVersion defines the versioned schema of this object: voicefleet.io/v1alpha1.',
                },
                kind: { type: 'string', description: `Kind of this object: ${c.kind}.` },
                metadata: metadataSchema(c.resource),
                spec: toStructural(c.spec),
                status: toStructural(c.status),
              },
            },
          },
        },
      ],
    },
  };
}

/** `metadata` may only constrain name: declared when a root rule points at it (fieldPath). */
function metadataSchema(resource: TObject): Record<string, unknown> {
  return rootRules(resource)['x-kubernetes-validations'] === undefined
    ? { type: 'object' }
    : { type: 'object', properties: { name: { type: 'string' } } };
}

function rootRules(resource: TObject): { 'x-kubernetes-validations'?: unknown } {
  const rules = resource['x-kubernetes-validations'] as unknown[] | undefined;
  return rules === undefined ? {} : { 'x-kubernetes-validations': rules };
}

export const voiceAgentCrd = () =>
  crd({
    resource: VoiceAgent,
    kind: VOICE_AGENT_KIND,
    plural: VOICE_AGENT_PLURAL,
    singular: VOICE_AGENT_SINGULAR,
    shortName: VOICE_AGENT_SHORT_NAME,
    description:
      'VoiceAgent is a phone agent: the numbers it answers, the trunks it calls out through, the ' +
      'regions it runs in with their capacity, its speech pipeline and its latency objectives.',
    spec: VoiceAgentSpec,
    status: VoiceAgentStatus,
    columns: [
      READY,
      {
        name: 'Regions',
        type: 'string',
        jsonPath: '.status.regionsSummary',
        description: 'Regions served.',
      },
      {
        name: 'Calls',
        type: 'integer',
        jsonPath: '.status.activeCalls',
        description: 'Calls in progress.',
      },
      AGE,
    ],
  });

export const sipTrunkCrd = () =>
  crd({
    resource: SipTrunk,
    kind: SIP_TRUNK_KIND,
    plural: SIP_TRUNK_PLURAL,
    singular: SIP_TRUNK_SINGULAR,
    shortName: SIP_TRUNK_SHORT_NAME,
    description:
      'SipTrunk is a carrier connection: its gateways, who may send calls over it, the credentials ' +
      'for outbound calls, when to fail over and how the gateways are probed.',
    spec: SipTrunkSpec,
    status: SipTrunkStatus,
    columns: [
      READY,
      {
        name: 'Gateways Up',
        type: 'string',
        jsonPath: '.status.gatewaysUp',
        description: 'Gateways up out of all.',
      },
      AGE,
    ],
  });

const HEADER = '# Generated from api/src by `npm run generate`. Do not edit.\n';

/** File name -> YAML text, for `crds/` and `charts/voicefleet/crds/`. */
export function renderCrdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const c of [voiceAgentCrd(), sipTrunkCrd()]) {
    const [plural] = c.metadata.name.split('.');
    files.set(`${GROUP}_${plural}.yaml`, HEADER + stringify(c, { lineWidth: 0 }));
  }
  return files;
}

/** Directories, relative to the repository root, that hold the generated CRDs. */
export const CRD_DIRS = ['crds', 'charts/voicefleet/crds'] as const;
