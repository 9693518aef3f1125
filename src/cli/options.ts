/** Validation of command-line options shared by `classchat` and `classchat-server`. */

/** A mistake in how the command was called: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** A TCP port; 0 (any free port) only where `allowAny`. */
export function parsePort(value: string, option: string, allowAny = false): number {
  const port = Number(value);
  const min = allowAny ? 0 : 1;
  if (!/^\d+$/.test(value) || port < min || port > 65535) throw new UsageError(`${option} must be a port number from ${min} to 65535, not "${value}"`);
  return port;
}

export function parseNonNegativeInt(value: string, option: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${option} must be a whole number ≥ 0, not "${value}"`);
  return Number(value);
}
