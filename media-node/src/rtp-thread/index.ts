// The RTP thread: every call's RTP session, the one pacing scheduler and the node's SIP UDP socket
// run on a worker thread of their own, ahead of the event loop (priority.ts). This folder holds
// both sides and what they share:
//   client/  runs on the event loop: RtpThread starts the thread and opens sessions on it; a
//            ThreadRtpSession is a call's session as the event loop sees it.
//   worker/  runs on the RTP thread: the sessions, the scheduler, barge-in held at the caller's
//            onset, and the SIP socket that answers plain new calls on arrival.
//   protocol.ts, session-memory.ts, frame-ring.ts, admission-board.ts: the messages and the
//            shared memory between the two sides.
export {
  RtpThread,
  type AnsweredOnArrivalMedia,
  type AnswerOnArrivalOptions,
} from './client/rtp-thread.js';
export {
  ThreadRtpSession,
  type ThreadRtpSessionEvents,
  type ThreadRtpSessionOptions,
} from './client/thread-rtp-session.js';
export type { RtpThreadPriority } from './priority.js';
export type { PacingReport, ThreadSessionOptions } from './protocol.js';
export { AdmissionBoard } from './admission-board.js';
export type { FrameKind } from './session-memory.js';
