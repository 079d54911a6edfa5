// Places an outbound call (UAC INVITE, RFC 3261 §13.2): through an optional proxy (the edge),
// answering one 401/407 digest challenge, cancellable with an AbortSignal (CANCEL once the far
// end has sent a provisional response), resolving with the Dialog after ACKing the 2xx.
import type { SipCore } from './core.js';
import { type Credentials, digestAuthorization, parseChallenge } from './digest.js';
import { Dialog } from './dialog.js';
import { headerValue, headerValues, type HeaderList, type ValidResponse } from './message.js';
import { formatNameAddr, parseNameAddr, tagOf } from './name-addr.js';
import { buildRequest, type RequestSpec, targetOfUri } from './request-builder.js';
import { SUPPORTED_HEADER, allowsUpdate } from './request-policy.js';
import { readSessionTimer } from './session-timer.js';
import { SipError } from './sip-error.js';

export interface InviteOptions {
  /** Request-URI, e.g. `sip:+14155550199@10.0.0.1:5060`. */
  target: string;
  /** Our identity: a URI or name-addr, e.g. `"Front desk" <sip:agent@10.0.0.5>`. */
  from: string;
  /** To URI; defaults to `target`. */
  to?: string;
  /** SDP offer. */
  sdp?: string;
  headers?: HeaderList;
  /** Where the INVITE goes (the edge); sent with a loose Route to it. Defaults to the target. */
  proxy?: string;
  credentials?: Credentials;
  signal?: AbortSignal;
  /** The Call-ID to use (a caller that names the call before it is placed); a new one if unset. */
  callId?: string;
  /** Provisional responses (180/183, with early-media SDP when present). */
  onProgress?: (status: number, sdp: string | undefined) => void;
}

function withLr(uri: string): string {
  return /;lr\b/i.test(uri) ? uri : `${uri};lr`;
}

export function placeCall(core: SipCore, o: InviteOptions): Promise<Dialog> {
  const hop = targetOfUri(o.proxy ?? o.target);
  const fromAddr = parseNameAddr(o.from);
  if (!hop)
    return Promise.reject(
      new Error('sip invite: target/proxy must be a sip: URI with an IP address'),
    );
  if (!fromAddr)
    return Promise.reject(new Error('sip invite: from must be a SIP URI or name-addr'));
  if (o.signal?.aborted)
    return Promise.reject(new SipError(487, 'Request Terminated', { cause: o.signal.reason }));
  const callId = o.callId ?? core.newCallId();
  const localTag = core.newTag();
  const toUri = o.to ?? o.target;
  const from = formatNameAddr({
    ...fromAddr,
    params: new Map([...fromAddr.params, ['tag', localTag]]),
  });
  const routes = o.proxy ? [`<${withLr(o.proxy)}>`] : [];
  let cseq = 0;
  let authTried = false;
  let dialog: Dialog | undefined;
  let cancelled = false;
  let current = { provisional: false, cancel: () => undefined as void };

  return new Promise<Dialog>((resolve, reject) => {
    const onAbort = () => {
      cancelled = true;
      if (current.provisional) current.cancel();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };

    const onSuccess = (res: ValidResponse) => {
      if (dialog) return dialog.resendAck(res.cseq.seq);
      const contact = parseNameAddr(headerValue(res.headers, 'contact') ?? '');
      dialog = new Dialog(core, {
        role: 'uac',
        callId,
        localTag,
        remoteTag: tagOf(res.to) ?? '',
        localUri: fromAddr.uri,
        remoteUri: toUri,
        remoteTarget: contact?.uri ?? o.target,
        routeSet: headerValues(res.headers, 'record-route').reverse(),
        localSeq: cseq,
        remoteSeq: undefined,
        transport: hop.transport,
        fallbackTarget: hop,
        localSdp: o.sdp,
        peerAllowsUpdate: allowsUpdate(res.headers),
      });
      dialog.remoteSdp = res.body.length > 0 ? res.body.toString('utf8') : undefined;
      core.addDialog(dialog);
      dialog.ackInvite(res.cseq.seq);
      const timer = readSessionTimer(res.headers);
      if (timer) dialog.startSessionTimer(timer.seconds, timer.refresher ?? 'uac', true);
      if (!cancelled) return settle(() => resolve(dialog as Dialog));
      void dialog.bye();
      settle(() => reject(new SipError(487, 'Request Terminated')));
    };

    const attempt = (auth: HeaderList) => {
      cseq++;
      const branch = core.newBranch();
      const spec: RequestSpec = {
        method: 'INVITE',
        uri: o.target,
        via: core.via(hop.transport, branch),
        from,
        to: `<${toUri}>`,
        callId,
        cseq,
        contact: core.contact(hop.transport),
        routes,
        userAgent: core.userAgent,
        // session timers if the far end wants them; it names the interval (RFC 4028 §7.1)
        headers: [...auth, SUPPORTED_HEADER, ...(o.headers ?? [])],
        body: o.sdp,
        contentType: 'application/sdp',
      };
      let cancelSent = false;
      const state = {
        provisional: false,
        cancel: () => {
          if (cancelSent) return;
          cancelSent = true;
          const cancel = buildRequest({
            ...spec,
            method: 'CANCEL',
            headers: undefined,
            body: undefined,
            contact: undefined,
          });
          core.startClientNonInvite(hop, branch, 'CANCEL', cancel, {
            onResponse: () => undefined,
            onTimeout: () => undefined,
          });
        },
      };
      current = state;
      core.startClientInvite(hop, branch, buildRequest(spec), {
        onResponse: (res) => {
          if (res.status < 200) {
            state.provisional = true;
            if (cancelled) return state.cancel();
            if (res.status === 100) return;
            return o.onProgress?.(
              res.status,
              res.body.length > 0 ? res.body.toString('utf8') : undefined,
            );
          }
          if (res.status < 300) return onSuccess(res);
          const challengeHeader = res.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
          const challenge = parseChallenge(headerValue(res.headers, challengeHeader) ?? '');
          if (
            (res.status === 401 || res.status === 407) &&
            o.credentials &&
            challenge &&
            !authTried &&
            !cancelled
          ) {
            authTried = true;
            const name = res.status === 401 ? 'authorization' : 'proxy-authorization';
            return attempt([
              [name, digestAuthorization(challenge, o.credentials, 'INVITE', o.target)],
            ]);
          }
          settle(() => reject(new SipError(res.status, res.reason)));
        },
        onTimeout: () => {
          core.metrics.transactionTimeout('INVITE');
          settle(() => reject(new SipError(408, 'Request Timeout')));
        },
        onTransportError: () => settle(() => reject(new SipError(503, 'Service Unavailable'))),
        ackFor: (res) =>
          buildRequest({
            ...spec,
            method: 'ACK',
            to: headerValue(res.headers, 'to') ?? spec.to,
            headers: undefined,
            body: undefined,
            contact: undefined,
          }),
      });
    };
    attempt([]);
  });
}
