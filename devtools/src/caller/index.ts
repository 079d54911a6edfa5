// The test caller behind `voicefleet call`: a SIP phone that speaks with espeak-ng, listens for
// the agent, and measures each turn from the end of your speech to the agent's audio at your ear.
export {
  placeTestCall,
  edgeHostPort,
  CALL_SAMPLE_RATE,
  type CallStep,
  type TestCallOptions,
  type TestCallResult,
  type TurnResult,
  type TranscriptLine,
} from './test-call.js';
export { formatCallSummary, formatTurnLatency } from './call-report.js';
export { sourceAddressFor } from '@voicefleet/media-node/sip';
