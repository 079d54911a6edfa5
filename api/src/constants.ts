/** API group, version and resource names of the voicefleet custom resources. */
export const GROUP = 'voicefleet.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export const VOICE_AGENT_KIND = 'VoiceAgent';
export const VOICE_AGENT_PLURAL = 'voiceagents';
export const VOICE_AGENT_SINGULAR = 'voiceagent';
export const VOICE_AGENT_SHORT_NAME = 'va';

export const SIP_TRUNK_KIND = 'SipTrunk';
export const SIP_TRUNK_PLURAL = 'siptrunks';
export const SIP_TRUNK_SINGULAR = 'siptrunk';
export const SIP_TRUNK_SHORT_NAME = 'st';

/** `kubectl get voicefleet` lists both kinds. */
export const CATEGORY = 'voicefleet';
