/** Reads multi-document YAML into typed, defaulted and validated VoiceAgents and SipTrunks. */
import { parseAllDocuments } from 'yaml';
import { API_VERSION, SIP_TRUNK_KIND, VOICE_AGENT_KIND } from '../constants.js';
import type { SipTrunk } from '../schema/sip-trunk.js';
import type { VoiceAgent } from '../schema/voice-agent.js';
import {
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  validateSipTrunk,
  validateVoiceAgent,
} from './validate.js';

/** Any other Kubernetes object in the same files (e.g. the Secret a SipTrunk references). */
export interface OtherObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { name?: string; namespace?: string };
  readonly [key: string]: unknown;
}

export interface ManifestError {
  /** 0-based index of the YAML document in the text. */
  readonly document: number;
  readonly kind?: string;
  readonly name?: string;
  readonly path: string;
  readonly message: string;
}

export interface ParsedManifests {
  readonly voiceAgents: VoiceAgent[];
  readonly sipTrunks: SipTrunk[];
  readonly others: OtherObject[];
  readonly errors: ManifestError[];
}

export function parseManifests(text: string): ParsedManifests {
  const out = {
    voiceAgents: [] as VoiceAgent[],
    sipTrunks: [] as SipTrunk[],
    others: [] as OtherObject[],
    errors: [] as ManifestError[],
  };
  parseAllDocuments(text).forEach((doc, document) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        out.errors.push({ document, path: '', message: `YAML: ${e.message}` });
      return;
    }
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) return;
    if (typeof obj !== 'object' || Array.isArray(obj)) {
      out.errors.push({
        document,
        path: '',
        message: 'a document must be a Kubernetes object (a YAML mapping)',
      });
      return;
    }
    const o = obj as OtherObject;
    const ours = o.apiVersion === API_VERSION;
    const kind = o.kind;
    const name = o.metadata?.name;
    const label = { document, ...(kind ? { kind } : {}), ...(name ? { name } : {}) };
    if (ours && kind === VOICE_AGENT_KIND) {
      const errs = validateVoiceAgent(o);
      if (errs.length === 0)
        out.voiceAgents.push(applyVoiceAgentDefaults(o as unknown as VoiceAgent));
      else out.errors.push(...errs.map((e) => ({ ...label, ...e })));
    } else if (ours && kind === SIP_TRUNK_KIND) {
      const errs = validateSipTrunk(o);
      if (errs.length === 0) out.sipTrunks.push(applySipTrunkDefaults(o as unknown as SipTrunk));
      else out.errors.push(...errs.map((e) => ({ ...label, ...e })));
    } else if (typeof o.apiVersion !== 'string' || typeof kind !== 'string') {
      out.errors.push({ ...label, path: '', message: 'apiVersion and kind are required' });
    } else if (o.apiVersion.startsWith('voicefleet.io/')) {
      out.errors.push({
        ...label,
        path: 'apiVersion',
        message: `unknown voicefleet kind or version; use ${API_VERSION} with kind VoiceAgent or SipTrunk`,
      });
    } else {
      out.others.push(o);
    }
  });
  return out;
}
