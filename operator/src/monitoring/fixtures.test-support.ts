// A VoiceAgent's SLO subject for the monitoring tests: the test kit's agent with the SLO and
// monitoring settings a test states.
import type { Monitoring, Slo, VoiceAgent } from '@voicefleet/api';
import { voiceAgent as kitAgent } from '@voicefleet/api/testing';
import { sloSubject } from './render.js';
import type { SloSubject } from './slo-definitions.js';

export function voiceAgent(
  name = 'front-desk',
  slo: Partial<Slo> = {},
  monitoring: Partial<Monitoring> = {},
): VoiceAgent {
  return kitAgent(name, { spec: { slo, monitoring } });
}

export function subject(slo: Partial<Slo> = {}, monitoring: Partial<Monitoring> = {}): SloSubject {
  return sloSubject(voiceAgent('front-desk', slo, monitoring));
}
