/**
 * Adapter: the in-process SIP endpoint (`sip/`) as the node's SignalingPort. INVITEs become
 * IncomingInvite ports, dialogs become DialogPorts, OPTIONS answers come from admission, and every
 * SIP response sent is counted in `voicefleet_sip_responses_total`.
 */
import { SipEndpoint } from '../sip/endpoint.js';
import type { Dialog, DialogEndReason } from '../sip/dialog.js';
import type { IncomingInvite as SipIncomingInvite } from '../sip/incoming-invite.js';
import { SipError } from '../sip/sip-error.js';
import type { UdpBinder } from '../sip/transport.js';
import type { TimerValues } from '../sip/timers.js';
import type { SessionTimerPolicy } from '../sip/session-timer.js';
import type {
  DialogEnd,
  DialogPort,
  IncomingInvite,
  MediaReoffer,
  ReinviteAnswer,
  SignalingPort,
} from '../core/call-ports.js';
import type { Logger } from '../telemetry/log.js';
import type { NodeMetrics } from '../telemetry/metrics.js';
import { RETRY_AFTER_FULL_SECONDS } from '../core/admission.js';

export interface SipSignalingOptions {
  host: string;
  port: number;
  advertisedHost: string;
  /** User part of our Contact (the agent's name). */
  contactUser: string;
  /** Binds the UDP socket on the RTP thread (RtpThread.listenSip), instead of one here. */
  bindUdp?: UdpBinder;
  timerValues?: TimerValues;
  sessionTimer: SessionTimerPolicy;
  log: Logger;
  metrics: NodeMetrics;
}

/** How the endpoint's dialog ends, as the call sees it (our own BYE and shutdown are ours). */
const DIALOG_ENDS: Partial<Record<DialogEndReason, DialogEnd>> = {
  'remote-bye': 'remote-bye',
  'ack-timeout': 'no-ack',
  'session-expired': 'session-expired',
};

export function dialogPort(dialog: Dialog): DialogPort {
  let answerOffer: ((offerSdp: string) => ReinviteAnswer) | undefined;
  let makeOffer: (() => MediaReoffer) | undefined;
  /** Our offer in a 2xx to a re-INVITE without one, until its ACK brings the answer. */
  let pending: MediaReoffer | undefined;
  dialog.onReinvite = (offer) => {
    if (offer === undefined) {
      if (!makeOffer) throw new SipError(488, 'Not Acceptable Here');
      pending = makeOffer();
      return pending.offerSdp;
    }
    const answer = answerOffer?.(offer) ?? { status: 488 };
    if ('status' in answer) throw new SipError(answer.status, 'Not Acceptable Here');
    return answer.sdp;
  };
  dialog.on('answer', ({ sdp }) => {
    const offered = pending;
    pending = undefined;
    offered?.complete(sdp);
  });
  return {
    callId: dialog.callId,
    bye: () => dialog.bye(),
    refer: async (target, timeoutMs) => {
      const { status, outcome } = await dialog.refer(target);
      if (outcome === undefined) return { outcome: 'rejected', sipStatus: status };
      let timer: NodeJS.Timeout | undefined;
      const final = await Promise.race([
        outcome,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      if (final === undefined) return { outcome: 'timeout' };
      return { outcome: final < 300 ? 'completed' : 'failed', sipStatus: final };
    },
    onEnded: (listener) => {
      dialog.on('ended', ({ reason }) => {
        const end = DIALOG_ENDS[reason];
        if (end !== undefined) listener(end);
      });
    },
    onReinvite: (handler) => {
      answerOffer = handler;
    },
    onOfferRequest: (handler) => {
      makeOffer = handler;
    },
  };
}

function invitePort(invite: SipIncomingInvite): IncomingInvite {
  const answered = invite.answered;
  return {
    callId: invite.callId,
    offerSdp: invite.sdp,
    ...(answered
      ? {
          answered: {
            receivedAt: answered.receivedAt,
            setupMs: answered.answeredAt - answered.receivedAt,
            media: answered.media,
          },
        }
      : {}),
    progress: () => invite.progress(180),
    accept: (sdp) => {
      const confirmed = invite.accept(sdp);
      const dialog = invite.dialog;
      if (!dialog) throw new Error('the INVITE was cancelled before the answer');
      // the answer to an offer of ours (a delayed offer) comes with the ACK
      const acked = confirmed.then(() => ({
        answerSdp: invite.sdp === undefined ? dialog.remoteSdp : undefined,
      }));
      acked.catch(() => undefined); // the call hears how the dialog ended
      return { dialog: dialogPort(dialog), acked };
    },
    reject: (status, headers = {}) =>
      invite.reject(
        status,
        undefined,
        Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    onCancel: (listener) => invite.on('cancel', listener),
  };
}

export async function listenSipSignaling(options: SipSignalingOptions): Promise<{
  signaling: SignalingPort;
  port: number;
  contact: string;
  /** The INVITE transactions the endpoint holds (their retransmissions are its own). */
  heldInviteKeys: () => string[];
}> {
  const { metrics, log } = options;
  const ep = await SipEndpoint.listen({
    host: options.host,
    port: options.port,
    ...(options.advertisedHost ? { advertisedHost: options.advertisedHost } : {}),
    contactUser: options.contactUser,
    ...(options.bindUdp ? { bindUdp: options.bindUdp } : {}),
    ...(options.timerValues ? { timerValues: options.timerValues } : {}),
    sessionTimer: options.sessionTimer,
    userAgent: 'voicefleet-media-node',
    log,
    metrics: {
      responseSent: (status, method) => metrics.sipResponses.inc({ method, code: String(status) }),
    },
  });
  const signaling: SignalingPort = {
    inProgress: () => ep.inProgress,
    onInvite: (handler) => ep.on('invite', (invite) => handler(invitePort(invite))),
    onOptions: (handler) => {
      ep.onOptions = () => {
        const status = handler();
        return status === 200
          ? { status }
          : { status, headers: [['retry-after', String(RETRY_AFTER_FULL_SECONDS)]] };
      };
    },
    invite: async (target, offerSdp, { signal, callId, onProgress }) => {
      const dialog = await ep.invite({
        target,
        from: `<sip:agent@${ep.advertisedHost}:${ep.port}>`,
        sdp: offerSdp,
        signal,
        callId,
        ...(onProgress ? { onProgress: (status: number) => onProgress(status) } : {}),
      });
      return { dialog: dialogPort(dialog), answerSdp: dialog.remoteSdp ?? '' };
    },
    close: () => ep.close(),
  };
  return {
    signaling,
    port: ep.port,
    contact: ep.contact('udp'),
    heldInviteKeys: () => ep.heldInviteKeys(),
  };
}
