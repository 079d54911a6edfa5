/**
 * Adapter: the in-process SIP endpoint (`sip/`) as the node's SignalingPort. INVITEs become
 * IncomingInvite ports, dialogs become DialogPorts, OPTIONS answers come from admission, and every
 * SIP response sent is counted in `voicefleet_sip_responses_total`.
 */
import { SipEndpoint } from '../sip/endpoint.js';
import type { Dialog } from '../sip/dialog.js';
import type { IncomingInvite as SipIncomingInvite } from '../sip/incoming-invite.js';
import { SipError } from '../sip/sip-error.js';
import type { UdpPort } from '../sip/transport.js';
import type { DialogPort, IncomingInvite, SignalingPort } from '../core/call-ports.js';
import type { Logger } from '../telemetry/log.js';
import type { NodeMetrics } from '../telemetry/metrics.js';
import { RETRY_AFTER_FULL_SECONDS } from '../core/admission.js';

export interface SipSignalingOptions {
  host: string;
  port: number;
  advertisedHost: string;
  /** The UDP socket on the RTP thread (RtpThread.listenSip), instead of one bound here. */
  udp?: UdpPort;
  log: Logger;
  metrics: NodeMetrics;
}

export function dialogPort(dialog: Dialog): DialogPort {
  return {
    callId: dialog.callId,
    bye: () => dialog.bye(),
    refer: async (target) => {
      const status = await dialog.refer(target);
      if (status >= 300) throw new SipError(status, 'REFER refused');
    },
    onBye: (listener) => {
      dialog.on('bye', listener);
      dialog.on('ended', ({ reason }) => {
        if (reason !== 'local-bye') listener();
      });
    },
    onReinvite: (handler) => {
      dialog.onReinvite = (offer) => {
        const answer = handler(offer ?? '');
        if ('status' in answer) throw new SipError(answer.status, 'Not Acceptable Here');
        return answer.sdp;
      };
    },
  };
}

function invitePort(invite: SipIncomingInvite): IncomingInvite {
  const answered = invite.answered;
  return {
    callId: invite.callId,
    offerSdp: invite.sdp ?? '',
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
    accept: async (answerSdp) => dialogPort(await invite.accept(answerSdp)),
    reject: (status, headers = {}) =>
      invite.reject(
        status,
        undefined,
        Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    onCancel: (listener) => invite.on('cancel', listener),
  };
}

export async function listenSipSignaling(
  options: SipSignalingOptions,
): Promise<{ signaling: SignalingPort; port: number; contact: string }> {
  const { metrics, log } = options;
  const ep = await SipEndpoint.listen({
    host: options.host,
    port: options.port,
    ...(options.advertisedHost ? { advertisedHost: options.advertisedHost } : {}),
    ...(options.udp ? { udp: options.udp } : {}),
    userAgent: 'voicefleet-media-node',
    log,
    metrics: {
      responseSent: (status, method) => metrics.sipResponses.inc({ method, code: String(status) }),
    },
  });
  const signaling: SignalingPort = {
    onInvite: (handler) => ep.on('invite', (invite) => handler(invitePort(invite))),
    onOptions: (handler) => {
      ep.onOptions = () => {
        const status = handler();
        return status === 200
          ? { status }
          : { status, headers: [['retry-after', String(RETRY_AFTER_FULL_SECONDS)]] };
      };
    },
    invite: async (target, offerSdp, signal) => {
      const dialog = await ep.invite({
        target,
        from: `<sip:agent@${ep.advertisedHost}:${ep.port}>`,
        sdp: offerSdp,
        signal,
      });
      return { dialog: dialogPort(dialog), answerSdp: dialog.remoteSdp ?? '' };
    },
    close: () => ep.close(),
  };
  return { signaling, port: ep.port, contact: ep.contact('udp') };
}
