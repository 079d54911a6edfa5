// Our side of one call's SDP across its dialog (RFC 3264 section 8): the o= session id stays the
// same and the version goes up by one with every description we send after the first, so the far
// end reads a re-INVITE answer or offer as a change. A refused offer (488) sends nothing and keeps
// the version. Pure apart from the random default session id.

import { randomInt } from 'node:crypto';
import {
  answerOffer,
  createOffer,
  parseAnswer,
  writeAnswer,
  type AnswerResult,
  type LocalMedia,
  type OfferNegotiation,
  type ParseAnswerResult,
} from './negotiate.js';

/** Our media for a dialog: everything of LocalMedia but the o= line, which this class keeps. */
export type DialogMedia = Omit<LocalMedia, 'sessionId' | 'sessionVersion'>;

export class LocalDescription {
  readonly sessionId: number;
  readonly #media: DialogMedia;
  /** o= version of the last description we sent; undefined before the first. */
  #version: number | undefined;
  /** Direction of our last offer, which caps ours when its answer comes. */
  #offered: Pick<LocalMedia, 'direction'> = {};

  constructor(media: DialogMedia, sessionId: number = randomInt(1, 2 ** 31)) {
    this.#media = media;
    this.sessionId = sessionId;
  }

  /** o= version of the last description sent (0 before the first). */
  get version(): number {
    return this.#version ?? 0;
  }

  /** Answers the INVITE's or a re-INVITE's offer; a failure result means: reply 488. */
  answer(offerText: string): AnswerResult {
    const result = answerOffer(offerText, this.#local(this.version + 1));
    if (result.ok) this.#version = this.version + 1;
    return result;
  }

  /** Answers an offer already negotiated (`negotiateOffer`), without reading it again. */
  answerNegotiated(negotiation: OfferNegotiation): string {
    const answer = writeAnswer(negotiation, this.#local(this.version + 1));
    this.#version = this.version + 1;
    return answer;
  }

  /** Our offer for an outbound INVITE or a re-INVITE (e.g. `direction: 'sendonly'` to hold). */
  offer(overrides: Pick<LocalMedia, 'direction'> = {}): string {
    const text = createOffer({ ...this.#local(this.version + 1), ...overrides });
    this.#version = this.version + 1;
    this.#offered = overrides;
    return text;
  }

  /** Reads the far end's answer to our last offer. */
  readAnswer(answerText: string): ParseAnswerResult {
    return parseAnswer(answerText, { ...this.#local(this.version), ...this.#offered });
  }

  #local(sessionVersion: number): LocalMedia {
    return { ...this.#media, sessionId: this.sessionId, sessionVersion };
  }
}
