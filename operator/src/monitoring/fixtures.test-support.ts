// A VoiceAgent's SLO subject for the monitoring tests: the API's defaults plus what a test sets.
import {
  applyVoiceAgentDefaults,
  type Monitoring,
  type Slo,
  type VoiceAgent,
} from '@voicefleet/api';
import { sloSubject } from './render.js';
import type { SloSubject } from './slo-definitions.js';

export function voiceAgent(
  name = 'front-desk',
  slo: Partial<Slo> = {},
  monitoring: Partial<Monitoring> = {},
): VoiceAgent {
  return applyVoiceAgentDefaults({
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
    metadata: { name, namespace: 'default' },
    spec: {
      regions: [{ name: 'us-east-1' }],
      pipeline: { llm: { provider: 'scripted', script: { fallback: 'Sorry?', intents: [] } } },
      slo,
      monitoring,
    },
  } as unknown as VoiceAgent);
}

export function subject(slo: Partial<Slo> = {}, monitoring: Partial<Monitoring> = {}): SloSubject {
  return sloSubject(voiceAgent('front-desk', slo, monitoring));
}
