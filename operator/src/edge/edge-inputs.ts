// What the edge sync gathers before deciding: the custom resources, the media pools'
// EndpointSlices (a minimal structural type so tests and the local fleet need no API server),
// drain marks, trunk credentials and this edge's region.
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import type { SetIdAssignment } from './set-ids.js';

export interface EndpointLike {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointSliceLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  endpoints: EndpointLike[];
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

export interface TrunkCredentials {
  username: string;
  password: string;
  realm?: string;
}

export interface RegionConfig {
  /** The region this edge serves: only its pools get media destinations. */
  region: string;
  /** Edges of peer regions, `host:port` or `sip:host:port`, most preferred first. */
  peerEdges: readonly string[];
}

export interface EdgeInputs {
  agents: readonly VoiceAgent[];
  trunks: readonly SipTrunk[];
  endpointSlices: readonly EndpointSliceLike[];
  /** Pods marked draining: `namespace/podName` or a pod IP. */
  drainMarks: ReadonlySet<string>;
  /** Outbound credentials by `namespace/trunkName`, already read from the trunk's Secret. */
  credentials: ReadonlyMap<string, TrunkCredentials>;
  region: RegionConfig;
  /** The persisted set id assignment (see set-ids.ts). */
  setIds: SetIdAssignment;
  /**
   * Pod address -> the address Kamailio reaches it at, for networks where the two differ (a NAT,
   * or tests whose API server refuses loopback endpoint addresses). Unmapped addresses pass as-is.
   */
  addressMap?: ReadonlyMap<string, string>;
}
