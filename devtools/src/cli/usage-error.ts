/** A mistake in how a command was called: printed with the help text, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
