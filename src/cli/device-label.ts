/** This computer's device label from `--label` (default: its host name), checked. */
import { hostname } from 'node:os';
import { isDeviceLabel } from '../protocol/device-frames';
import { UsageError } from './options';

/** --label, or the computer's host name; a label every classmate can read. */
export function deviceLabel(raw: string | undefined, host: () => string = hostname): string {
  const label = (raw ?? host()).trim().slice(0, 64) || 'Computer';
  if (!isDeviceLabel(label)) throw new UsageError(`--label must be 1-64 bytes without control characters, not "${raw}"`);
  return label;
}
