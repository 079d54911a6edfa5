// What a dialog tells the application: its events (dialog.ts).
import type { DtmfRelay } from './dialog-bodies.js';

export type DialogEndReason =
  | 'local-bye'
  | 'remote-bye'
  | 'ack-timeout'
  /** The session timer ran out, or a refresh of it failed (RFC 4028): we sent BYE. */
  | 'session-expired'
  | 'closed';

export type InfoEvent = {
  contentType: string | undefined;
  body: string;
  dtmf: DtmfRelay | undefined;
};

export type DialogEvents = {
  bye: [];
  /** A re-INVITE or UPDATE with an offer (or a re-INVITE without one) was answered 200. */
  reinvite: [{ offer: string | undefined; answer: string }];
  /**
   * An ACK carried the answer to an offer we made in a 2xx (a re-INVITE without an offer);
   * `sdp` is undefined when the ACK had none.
   */
  answer: [{ sdp: string | undefined }];
  refer: [{ referTo: string; status: number }];
  info: [InfoEvent];
  notify: [{ event: string | undefined; status: number | undefined; body: string }];
  ended: [{ reason: DialogEndReason }];
};
