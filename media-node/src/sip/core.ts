// What dialogs, incoming and outgoing calls need from the endpoint (implemented by SipEndpoint).
import type { ClientInviteHandlers, ClientInviteTransaction } from './client-invite-transaction.js';
import type {
  ClientNonInviteHandlers,
  ClientNonInviteTransaction,
} from './client-non-invite-transaction.js';
import type { Dialog } from './dialog.js';
import type { SipMetrics } from './metrics.js';
import type { SessionTimerPolicy } from './session-timer.js';
import type { TimerValues, Timers } from './timers.js';
import type { Logger, Target, TransportName } from './transport.js';

export interface SipCore {
  readonly timers: Timers;
  readonly timerValues: TimerValues;
  readonly log: Logger;
  readonly metrics: SipMetrics;
  readonly userAgent: string | undefined;
  /** Our side of session-timer negotiations (RFC 4028). */
  readonly sessionTimer: SessionTimerPolicy;
  newTag(): string;
  newBranch(): string;
  newCallId(): string;
  /** `<sip:advertisedHost:port;transport=tcp>` for the given transport. */
  contact(transport: TransportName): string;
  /** Our Via value for a new client transaction. */
  via(transport: TransportName, branch: string): string;
  sendRaw(target: Target, data: Buffer, onError?: () => void): void;
  startClientInvite(
    target: Target,
    branch: string,
    request: Buffer,
    handlers: ClientInviteHandlers,
  ): ClientInviteTransaction;
  startClientNonInvite(
    target: Target,
    branch: string,
    method: string,
    request: Buffer,
    handlers: ClientNonInviteHandlers,
  ): ClientNonInviteTransaction;
  addDialog(dialog: Dialog): void;
  removeDialog(dialog: Dialog): void;
}
