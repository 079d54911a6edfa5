/** The one error class providers throw: says which provider failed and whether a retry may help. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly retryable: boolean;

  constructor(provider: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.retryable = options.retryable;
  }
}

/** Wraps anything thrown by a provider; abort errors pass through unchanged. */
export function asProviderError(provider: string, err: unknown, retryable = true): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(provider, `${provider} failed`, { retryable, cause: err });
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'ABORT_ERR');
}

/** What `signal.throwIfAborted()` would throw, as an Error (an AbortError unless one was given). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}
