// RFC 4733 telephone-event (DTMF over RTP). The receiver turns the stream of event packets into one
// digit per key press: every packet of one event shares its RTP timestamp, so repeated updates and
// the three copies of the end packet are de-duplicated by timestamp. The sender is a pure state
// machine the session asks for one packet per 20 ms tick: the start packet (marker bit), updates
// with growing duration, then the end packet three times, all stamped with the event's start time.

/** DTMF digits that map to RFC 4733 events 0-15. */
export type DtmfDigit =
  '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

const DIGITS = '0123456789*#ABCD';

/** The RFC 4733 event code of a digit, or undefined for anything else. */
export function dtmfEventCode(digit: string): number | undefined {
  const code = DIGITS.indexOf(digit.toUpperCase());
  return digit.length === 1 && code >= 0 ? code : undefined;
}

/** The digit of an RFC 4733 event code, or undefined for non-DTMF events. */
export function dtmfDigit(code: number): DtmfDigit | undefined {
  return code >= 0 && code < 16 ? (DIGITS[code] as DtmfDigit) : undefined;
}

/** A decoded telephone-event payload. */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  /** Duration so far in timestamp units. */
  duration: number;
}

/** Parses the 4-byte telephone-event payload; undefined when too short. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const flags = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0),
  };
}

/** Writes a telephone-event payload into `out` (4 bytes). */
export function writeTelephoneEvent(out: Uint8Array, e: TelephoneEvent): number {
  out[0] = e.event & 0xff;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >>> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return 4;
}

/** Turns received telephone-event packets into one digit per key press. */
export class DtmfReceiver {
  private lastTimestamp: number | undefined;
  private lastEvent = -1;
  private lastEnded = true;
  private lastEndTimestamp = 0;

  /** Feeds one packet; returns the digit when this packet starts a new key press. */
  receive(timestamp: number, payload: Uint8Array): DtmfDigit | undefined {
    const e = parseTelephoneEvent(payload);
    if (!e) return undefined;
    if (timestamp === this.lastTimestamp) {
      if (e.end) this.lastEnded = true;
      return undefined;
    }
    // A long event continues in a new segment whose timestamp is where the previous one ended.
    const continuation =
      !this.lastEnded && e.event === this.lastEvent && timestamp === this.lastEndTimestamp;
    this.lastTimestamp = timestamp;
    this.lastEvent = e.event;
    this.lastEnded = e.end;
    this.lastEndTimestamp = (timestamp + e.duration) >>> 0;
    return continuation ? undefined : dtmfDigit(e.event);
  }
}

/** One packet the sender wants sent on this tick. */
export interface DtmfPacket {
  marker: boolean;
  timestamp: number;
  payload: Uint8Array;
}

/** Plans the packets of one key press; ask `next()` once per packet interval. */
export class DtmfSender {
  private readonly payload = new Uint8Array(4);
  private readonly event: number;
  private readonly total: number;
  private readonly step: number;
  private sent = 0;
  private endsSent = 0;

  /**
   * @param digit the key
   * @param durationMs how long the key is held (rounded to whole packet intervals, at least 2)
   * @param startTimestamp RTP timestamp of the first packet (the event's timestamp)
   * @param samplesPerPacket packet interval in timestamp units (160 for 20 ms at 8 kHz)
   */
  constructor(
    digit: string,
    durationMs: number,
    readonly startTimestamp: number,
    samplesPerPacket = 160,
    clockRate = 8000,
    private readonly volume = 10,
  ) {
    const code = dtmfEventCode(digit);
    if (code === undefined) throw new Error(`not a DTMF digit: ${JSON.stringify(digit)}`);
    this.event = code;
    this.step = samplesPerPacket;
    const packets = Math.max(2, Math.round((durationMs * clockRate) / 1000 / samplesPerPacket));
    this.total = Math.min(packets * samplesPerPacket, 0xffff);
  }

  /** True once the third end packet has been handed out. */
  get done(): boolean {
    return this.endsSent >= 3;
  }

  /** The next packet, or undefined when the event is over. The payload buffer is reused. */
  next(): DtmfPacket | undefined {
    if (this.done) return undefined;
    const duration = Math.min(this.total, (this.sent + 1) * this.step);
    const end = duration >= this.total;
    if (end) this.endsSent++;
    writeTelephoneEvent(this.payload, { event: this.event, end, volume: this.volume, duration });
    const marker = this.sent === 0;
    this.sent++;
    return { marker, timestamp: this.startTimestamp, payload: this.payload };
  }
}
