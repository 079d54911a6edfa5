/**
 * Builds the node's parts from its config: the SIP endpoint (signaling port), the RTP scheduler
 * and per-call sessions (media factory), and the providers with per-call agent sessions.
 */
import type { MediaNodeConfig } from '@voicefleet/api';
import type { AgentFactory, MediaFactory, SignalingPort } from './call-ports.js';
import type { Logger } from './log.js';
import type { NodeMetrics } from './metrics.js';

export interface NodeParts {
  signaling: SignalingPort;
  media: MediaFactory;
  agents: AgentFactory;
  sipPort: number;
  close(): Promise<void>;
}

export function createParts(
  _config: MediaNodeConfig,
  _deps: { log: Logger; metrics: NodeMetrics },
): Promise<NodeParts> {
  return Promise.reject(new Error('media parts are not wired yet'));
}
