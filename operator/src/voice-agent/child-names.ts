// Names and labels of a VoiceAgent's children (docs/contracts.md "Children of a VoiceAgent").
import { createHash } from 'node:crypto';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_AGENT = 'voicefleet.io/agent';
export const LABEL_REGION = 'voicefleet.io/region';
export const MEDIA_NODE_APP = 'voicefleet-media-node';
export const MANAGED_BY = 'voicefleet';
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
export const CONFIG_HASH_ANNOTATION = 'voicefleet.io/config-hash';

const MAX_NAME = 63;

/** `<agent>-<region>`, or a prefix of it plus a hash when longer than 63 characters. */
export function childName(agent: string, region: string): string {
  const full = `${agent}-${region}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const prefix = full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, '');
  return `${prefix}-${hash}`;
}

export function selectorLabels(agent: string, region: string): Record<string, string> {
  return { [LABEL_NAME]: MEDIA_NODE_APP, [LABEL_AGENT]: agent, [LABEL_REGION]: region };
}

export function childLabels(agent: string, region: string): Record<string, string> {
  return { ...selectorLabels(agent, region), [LABEL_MANAGED_BY]: MANAGED_BY };
}
