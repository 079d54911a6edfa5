// Names and labels of a VoiceAgent's children (docs/contracts.md "Children of a VoiceAgent").
import {
  AGENT_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MEDIA_NODE_APP,
  NAME_LABEL,
  REGION_LABEL,
} from '@voicefleet/api';
import { createHash } from 'node:crypto';

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
  return { [NAME_LABEL]: MEDIA_NODE_APP, [AGENT_LABEL]: agent, [REGION_LABEL]: region };
}

export function childLabels(agent: string, region: string): Record<string, string> {
  return { ...selectorLabels(agent, region), [MANAGED_BY_LABEL]: MANAGED_BY };
}
