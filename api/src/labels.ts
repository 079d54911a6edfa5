/**
 * Labels and annotations voicefleet puts on the objects it manages and reads back from them
 * (docs/contracts.md "Children of a VoiceAgent"). Each key is written here once.
 */
export const NAME_LABEL = 'app.kubernetes.io/name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The VoiceAgent a child belongs to (its EndpointSlices carry it too). */
export const AGENT_LABEL = 'voicefleet.io/agent';
/** The region of a media pool. */
export const REGION_LABEL = 'voicefleet.io/region';

/** Value of NAME_LABEL on media pods and their pool's objects. */
export const MEDIA_NODE_APP = 'voicefleet-media-node';
/** Value of MANAGED_BY_LABEL on everything the operator writes. */
export const MANAGED_BY = 'voicefleet';
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
export const MEDIA_NODE_SELECTOR = `${NAME_LABEL}=${MEDIA_NODE_APP}`;

/** Pod annotation that marks a media pod as draining: the edge stops sending it calls. */
export const DRAINING_ANNOTATION = 'voicefleet.io/draining';
/** Pod template annotation: hash of the media-node config, so a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'voicefleet.io/config-hash';
/** Hash of what the operator last applied to a child (catches fields removed from it). */
export const APPLIED_HASH_ANNOTATION = 'voicefleet.io/applied-hash';
