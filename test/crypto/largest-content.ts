import { strict as assert } from 'node:assert';
import { LIMITS } from '../../src/protocol/limits';
import type { EnvelopeContent } from '../../src/protocol/references';

/** Content whose JSON is exactly the limit: quotes JSON escapes to two bytes, then filler. */
export function largestContent(): EnvelopeContent {
  const base = { text: '', reply: { seq: Number.MAX_SAFE_INTEGER, id: 'i'.repeat(64) } };
  const room = LIMITS.maxEnvelopeContentBytes - JSON.stringify(base).length;
  const quotes = Math.floor(room / 2);
  const body = { ...base, text: '"'.repeat(quotes) + 'x'.repeat(room - 2 * quotes) };
  assert.equal(Buffer.byteLength(JSON.stringify(body)), LIMITS.maxEnvelopeContentBytes);
  return body;
}
