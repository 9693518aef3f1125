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

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A size in bytes: a whole number with an optional K, M, G or T (binary units, case-insensitive, optional "iB"/"B"). */
export function parseSize(value: string, option: string): number {
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(value.trim());
  const bytes = match ? Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new UsageError(`${option} must be a size such as 100M or 2G, not "${value}"`);
  return bytes;
}
