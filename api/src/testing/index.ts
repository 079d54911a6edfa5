// The test kit's part of the api package: builders of valid VoiceAgents and SipTrunks, checks of
// status conditions, and the table of objects admission must reject. Imported by tests only (a
// lint rule keeps it so).
export {
  voiceAgent,
  voiceAgentManifest,
  sipTrunk,
  sipTrunkManifest,
  type VoiceAgentOptions,
  type SipTrunkOptions,
  type GatewayOption,
  type RegionOption,
} from './builders.js';
export {
  expectCondition,
  hasCondition,
  type ConditionLike,
  type ExpectedCondition,
} from './conditions.js';
export { REJECTION_CASES, validAgent, validTrunk, type RejectionCase } from './rejection-cases.js';
