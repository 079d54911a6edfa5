// SDP offer/answer (RFC 3264) for the node's audio: answer an offer with the first of our codecs
// (config order = our preference) that it carries plus telephone-event at the offer's payload type,
// or say why not (-> 488 Not Acceptable Here); create offers for outbound calls and re-INVITEs; and
// read the answer to one of our offers. Only the first usable audio m-line is taken; every other
// m-line is answered with port 0. Pure: SDP text in, SDP text and decisions out.

import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { codecByName, type Codec } from '../rtp/codec.js';
import type { MediaDirection, RemoteAddress } from '../rtp/session.js';
import {
  answerDirection,
  payloadsOf,
  pickCodec,
  remoteAddressOf,
  remoteDirectionOf,
  telephoneEventOf,
} from './remote-media.js';

/** Our side of a negotiation. */
export interface LocalMedia {
  /** Address the far end sends RTP to (the advertised host). */
  address: string;
  /** Our RTP port (RTCP on port + 1). */
  port: number;
  /** Codec names in our order of preference (MediaNodeConfig.codecs). */
  codecs: readonly string[];
  /** Offer/accept telephone-event (default true). */
  telephoneEvent?: boolean;
  /** Direction we want (default sendrecv; sendonly or inactive to put the far end on hold). */
  direction?: MediaDirection;
  /** o= session id and version; bump the version for each re-INVITE. */
  sessionId?: number;
  sessionVersion?: number;
}

/** What both sides agreed on: everything an RtpSession needs. */
export interface NegotiatedMedia {
  codec: Codec;
  telephoneEventPayloadType?: number;
  /** Where to send RTP; undefined while the far end holds with c=0.0.0.0. */
  remote?: RemoteAddress;
  /** Our direction, for RtpSession.setDirection(). */
  direction: MediaDirection;
  /** The far end's direction as its SDP said it. */
  remoteDirection: MediaDirection;
}

/** Why an offer or answer cannot be used; `not-acceptable` maps to SIP 488. */
export type NegotiationFailure = {
  ok: false;
  reason: 'malformed' | 'no-audio' | 'no-common-codec';
  message: string;
};

export type AnswerResult =
  { ok: true; answer: string; media: NegotiatedMedia } | NegotiationFailure;
export type ParseAnswerResult = { ok: true; media: NegotiatedMedia } | NegotiationFailure;

/** The default dynamic payload type we offer telephone-event on. */
export const TELEPHONE_EVENT_PT = 101;
const SUPPORTED_PROTOCOLS = new Set(['RTP/AVP']);

function parse(text: string): SessionDescription | undefined {
  try {
    const sdp = sdpTransform.parse(text);
    return Array.isArray(sdp.media) ? sdp : undefined;
  } catch {
    return undefined;
  }
}

function isUsableAudio(m: MediaDescription): boolean {
  return m.type === 'audio' && m.port !== 0 && SUPPORTED_PROTOCOLS.has(m.protocol);
}

/**
 * What an offer and our codecs agree on, before our answer is written: reading an offer needs no
 * port, so a caller may negotiate first and open the RTP session with the codec it picked.
 */
export interface OfferNegotiation {
  media: NegotiatedMedia;
  /** The parsed offer and the index of the m-line taken. */
  readonly offer: SessionDescription;
  readonly index: number;
}

export type NegotiateResult = { ok: true; negotiation: OfferNegotiation } | NegotiationFailure;

/** Reads `offerText` against our codecs; a failure result means: reply 488. */
export function negotiateOffer(
  offerText: string,
  local: Pick<LocalMedia, 'codecs' | 'telephoneEvent' | 'direction'>,
): NegotiateResult {
  const offer = parse(offerText);
  if (!offer || offer.media.length === 0) {
    return { ok: false, reason: 'malformed', message: 'offer has no parsable m= line' };
  }
  let sawAudio = false;
  for (const [index, m] of offer.media.entries()) {
    if (!isUsableAudio(m)) continue;
    sawAudio = true;
    const offered = payloadsOf(m);
    const codec = pickCodec(offered, local.codecs);
    if (!codec) continue;
    const te = local.telephoneEvent === false ? undefined : telephoneEventOf(offered);
    const remoteDirection = remoteDirectionOf(offer, m);
    const media: NegotiatedMedia = {
      codec,
      direction: answerDirection(remoteDirection, local.direction),
      remoteDirection,
    };
    const remote = remoteAddressOf(offer, m);
    if (remote && remote.address !== '0.0.0.0') media.remote = remote;
    if (te !== undefined) media.telephoneEventPayloadType = te;
    return { ok: true, negotiation: { media, offer, index } };
  }
  return sawAudio
    ? {
        ok: false,
        reason: 'no-common-codec',
        message: `offer carries none of ${local.codecs.join(', ')}`,
      }
    : { ok: false, reason: 'no-audio', message: 'offer has no RTP/AVP audio stream' };
}

/** Our answer to a negotiated offer: the chosen m-line with our port, every other one refused. */
export function writeAnswer(negotiation: OfferNegotiation, local: LocalMedia): string {
  const { media, offer, index } = negotiation;
  const lines = audioLines(local, media.codec, media.telephoneEventPayloadType, media.direction);
  return write(
    local,
    offer.media.map((m, i) => (i === index ? lines : rejected(m))),
  );
}

/** Answers `offerText` with our codecs; a failure result means: reply 488. */
export function answerOffer(offerText: string, local: LocalMedia): AnswerResult {
  const result = negotiateOffer(offerText, local);
  if (!result.ok) return result;
  return {
    ok: true,
    answer: writeAnswer(result.negotiation, local),
    media: result.negotiation.media,
  };
}

/** An offer of our codecs (+ telephone-event) for an outbound call or a re-INVITE. */
export function createOffer(local: LocalMedia): string {
  const codecs = local.codecs.map(codecByName).filter((c): c is Codec => c !== undefined);
  if (codecs.length === 0) {
    throw new Error(`no supported codec among ${local.codecs.join(', ')} (supported: PCMU, PCMA)`);
  }
  const te = local.telephoneEvent === false ? undefined : TELEPHONE_EVENT_PT;
  const lines = audioLines(local, codecs, te, local.direction ?? 'sendrecv');
  return write(local, [lines]);
}

/** Reads the answer to an offer we made from `local`. */
export function parseAnswer(answerText: string, local: LocalMedia): ParseAnswerResult {
  const answer = parse(answerText);
  if (!answer) return { ok: false, reason: 'malformed', message: 'answer is not parsable SDP' };
  const m = answer.media.find(isUsableAudio);
  if (!m) return { ok: false, reason: 'no-audio', message: 'answer accepts no audio stream' };
  const offered = payloadsOf(m);
  // The answerer lists what it chose first; take the first of those that we offered.
  const first = offered.find((p) =>
    local.codecs.some((c) => c.toLowerCase() === p.name.toLowerCase()),
  );
  const codec = first ? pickCodec([first], local.codecs) : undefined;
  if (!codec)
    return {
      ok: false,
      reason: 'no-common-codec',
      message: 'answer picked a codec we did not offer',
    };
  const remoteDirection = remoteDirectionOf(answer, m);
  const media: NegotiatedMedia = {
    codec,
    direction: answerDirection(remoteDirection, local.direction),
    remoteDirection,
  };
  const te = local.telephoneEvent === false ? undefined : telephoneEventOf(offered);
  if (te !== undefined) media.telephoneEventPayloadType = te;
  const remote = remoteAddressOf(answer, m);
  if (remote && remote.address !== '0.0.0.0') media.remote = remote;
  return { ok: true, media };
}

function audioLines(
  local: LocalMedia,
  codecs: Codec | Codec[],
  te: number | undefined,
  direction: MediaDirection,
): MediaDescription {
  const list = Array.isArray(codecs) ? codecs : [codecs];
  const rtp = list.map((c) => ({ payload: c.payloadType, codec: c.name, rate: c.clockRate }));
  const fmtp: MediaDescription['fmtp'] = [];
  if (te !== undefined) {
    rtp.push({ payload: te, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: te, config: '0-16' });
  }
  return {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: rtp.map((r) => r.payload).join(' '),
    rtp,
    fmtp,
    ptime: 20,
    direction,
  };
}

function rejected(m: MediaDescription): MediaDescription {
  return {
    type: m.type,
    port: 0,
    protocol: m.protocol,
    payloads: m.payloads ?? '0',
    rtp: [],
    fmtp: [],
  };
}

function write(local: LocalMedia, media: MediaDescription[]): string {
  const ipVer = local.address.includes(':') ? 6 : 4;
  return sdpTransform.write({
    version: 0,
    origin: {
      username: 'voicefleet',
      sessionId: local.sessionId ?? local.port,
      sessionVersion: local.sessionVersion ?? 1,
      netType: 'IN',
      ipVer,
      address: local.address,
    },
    name: 'voicefleet',
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  });
}
