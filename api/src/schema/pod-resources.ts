/**
 * CPU and memory of a media pod, as `spec.resources` of a VoiceAgent. Each quantity left out is
 * sized by the operator from `capacity.callsPerPod` (docs/media-node.md, "Sizing a media pod").
 */
import { Type, type Static } from '@sinclair/typebox';
import { cel } from './cel.js';

/** A non-negative Kubernetes quantity: 250m, 0.5, 2, 512Mi, 1G, 1e3. */
const QUANTITY_PATTERN =
  '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$';

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity that matches the schema's pattern, in cores or bytes. */
export function quantityValue(quantity: string): number {
  const m = /^([0-9.]+)(.*)$/.exec(quantity);
  const [number, suffix = ''] = [Number(m?.[1]), m?.[2]];
  if (suffix === '') return number;
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (SUFFIXES[suffix] ?? NaN);
}

const BINARY = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL = ['k', 'M', 'G', 'T', 'P', 'E'] as const;

/**
 * The form the API server stores a quantity in (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `1e3` ->
 * `1k`), so an object the operator writes compares equal to what it reads back.
 */
export function canonicalQuantity(quantity: string): string {
  const value = quantityValue(quantity);
  if (BINARY.some((b) => quantity.endsWith(b)) && Number.isInteger(value)) {
    for (let i = BINARY.length - 1; i >= 0; i--) {
      const unit = 2 ** (10 * (i + 1));
      if (value % unit === 0) return `${value / unit}${BINARY[i]}`;
    }
    return String(value);
  }
  const milli = Math.round(value * 1000);
  if (milli % 1000 !== 0) return `${milli}m`;
  const whole = milli / 1000;
  for (let i = DECIMAL.length - 1; i >= 0; i--) {
    const unit = 10 ** (3 * (i + 1));
    if (whole % unit === 0 && whole !== 0) return `${whole / unit}${DECIMAL[i]}`;
  }
  return String(whole);
}

const quantity = (description: string) =>
  Type.Optional(Type.String({ pattern: QUANTITY_PATTERN, maxLength: 32, description }));

const ResourceList = (what: string) =>
  Type.Object(
    {
      cpu: quantity(`CPU ${what} of the media-node container, e.g. 500m or 2.`),
      memory: quantity(`Memory ${what} of the media-node container, e.g. 512Mi or 1Gi.`),
    },
    { additionalProperties: false, description: `CPU and memory ${what}s.` },
  );

/** limits.<resource> >= requests.<resource> when both are given, as the API server requires of a pod. */
function limitNotBelowRequest(resource: 'cpu' | 'memory') {
  return cel(
    `!has(self.requests) || !has(self.limits) || !has(self.requests.${resource}) || ` +
      `!has(self.limits.${resource}) || ` +
      `quantity(self.limits.${resource}).compareTo(quantity(self.requests.${resource})) >= 0`,
    `limits.${resource} must be at least requests.${resource}`,
    (self: { requests?: Record<string, string>; limits?: Record<string, string> }) => {
      const request = self.requests?.[resource];
      const limit = self.limits?.[resource];
      return (
        request === undefined ||
        limit === undefined ||
        quantityValue(limit) >= quantityValue(request)
      );
    },
    `.limits.${resource}`,
  );
}

export const PodResources = Type.Object(
  {
    requests: Type.Optional(ResourceList('request')),
    limits: Type.Optional(ResourceList('limit')),
  },
  {
    additionalProperties: false,
    description:
      'CPU and memory of each media pod in a cluster. A quantity left out is sized from ' +
      'capacity.callsPerPod and the measured cost of a call; the local fleet runs no pods and ' +
      'does not use them. A CPU limit throttles the 20 ms audio pacing when reached: leave it ' +
      'out unless a quota requires one.',
    'x-kubernetes-validations': [limitNotBelowRequest('cpu'), limitNotBelowRequest('memory')],
  },
);
export type PodResources = Static<typeof PodResources>;
