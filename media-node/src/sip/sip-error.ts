// The error a failed SIP operation rejects with: the final status (408 for a timeout).

export class SipError extends Error {
  override readonly name = 'SipError';
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, options?: ErrorOptions) {
    super(`SIP ${status} ${reason}`, options);
    this.status = status;
    this.reason = reason;
  }
}
