/**
 * The plaintext inside a box (PROTOCOL.md sections 15 and 20.5): who sent it, to whom, under which
 * id, and what it says. Version 1 carries text; version 2 carries a JSON content object (replies,
 * reactions, room keys). Both are zero-padded to a multiple of 32 bytes.
 */
import { LIMITS } from '../protocol/limits';
import { EnvelopeContent, envelopeContentSchema } from '../protocol/references';

/** A version-1 envelope: the text, bound to who sent it, to whom, and under which id. */
export interface Envelope {
  from: string;
  to: string;
  id: string;
  text: string;
}

/** Who a box is from, to and under which id: what a receiver checks against the `msg` frame. */
export type EnvelopeHead = Omit<Envelope, 'text'>;

/** A version-2 envelope: the same head, with a content object instead of text. */
export interface EnvelopeV2 extends EnvelopeHead {
  content: EnvelopeContent;
}

/** A decoded envelope of either version, its text (version 1) presented as `{text}` content. */
export interface OpenedEnvelope extends EnvelopeV2 {
  version: 1 | 2;
}

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_VERSION_CONTENT = 2;
/** The plaintext is padded with zero bytes to a multiple of this, so the server learns less about lengths. */
export const ENVELOPE_PADDING = 32;

/** Content that the protocol does not allow: invalid for the schema, or over a byte limit. */
export class EnvelopeContentError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeContentError';
  }
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function headBytes(head: EnvelopeHead): Buffer[] {
  return (['from', 'to', 'id'] as const).map((what) => {
    const value = head[what];
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length < 1 || bytes.length > 255 || !PRINTABLE_ASCII.test(value)) throw new RangeError(`envelope ${what} must be 1-255 printable ASCII characters`);
    return bytes;
  });
}

/** version · len+from · len+to · len+id · body length (4 bytes, big-endian) · body · zero padding. */
function encode(version: number, head: EnvelopeHead, body: Buffer): Uint8Array {
  const parts = headBytes(head);
  const length = 1 + parts.reduce((sum, part) => sum + 1 + part.length, 0) + 4 + body.length;
  const out = Buffer.alloc(Math.ceil(length / ENVELOPE_PADDING) * ENVELOPE_PADDING);
  let at = 0;
  out[at++] = version;
  for (const part of parts) {
    out[at++] = part.length;
    at += part.copy(out, at);
  }
  out.writeUInt32BE(body.length, at);
  body.copy(out, at + 4);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The version, head and body, or undefined for anything malformed (bad lengths, non-zero padding). */
function decode(bytes: Uint8Array): { version: number; head: EnvelopeHead; body: Buffer } | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 1) return undefined;
  const version = buf[0];
  let at = 1;
  const parts: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (at >= buf.length) return undefined;
    const length = buf[at++];
    if (length === 0 || at + length > buf.length) return undefined;
    const part = buf.toString('latin1', at, at + length);
    if (!PRINTABLE_ASCII.test(part)) return undefined;
    parts.push(part);
    at += length;
  }
  if (at + 4 > buf.length) return undefined;
  const bodyLength = buf.readUInt32BE(at);
  at += 4;
  if (at + bodyLength > buf.length) return undefined;
  for (let i = at + bodyLength; i < buf.length; i++) if (buf[i] !== 0) return undefined;
  const [from, to, id] = parts as [string, string, string];
  return { version, head: { from, to, id }, body: buf.subarray(at, at + bodyLength) };
}

/** Version-1 envelope bytes (section 15). */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encode(ENVELOPE_VERSION, envelope, Buffer.from(envelope.text, 'utf8'));
}

/** A version-1 envelope, or undefined for anything malformed (another version, bad lengths, bad UTF-8, non-zero padding). */
export function decodeEnvelope(bytes: Uint8Array): Envelope | undefined {
  const decoded = decode(bytes);
  if (decoded?.version !== ENVELOPE_VERSION) return undefined;
  const text = decodeUtf8(decoded.body);
  return text === undefined ? undefined : { ...decoded.head, text };
}

/** The content as validated by the protocol's schema, or the reason it is not allowed. */
export function checkContent(content: unknown): { ok: true; content: EnvelopeContent } | { ok: false; problem: string } {
  const parsed = envelopeContentSchema.safeParse(content);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]?.message ?? 'invalid content' };
  const { text, react } = parsed.data;
  // The schema counts UTF-16 units; the protocol's limits are UTF-8 bytes.
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > LIMITS.maxTextBytes) return { ok: false, problem: `text is over ${LIMITS.maxTextBytes} bytes` };
  if (react !== undefined && Buffer.byteLength(react.emoji, 'utf8') > LIMITS.maxReactionBytes) return { ok: false, problem: `a reaction is over ${LIMITS.maxReactionBytes} bytes` };
  return { ok: true, content: parsed.data };
}

/** Version-2 envelope bytes (20.5). Throws EnvelopeContentError for content the protocol does not allow. */
export function encodeEnvelopeV2(envelope: EnvelopeV2): Uint8Array {
  const checked = checkContent(envelope.content);
  if (!checked.ok) throw new EnvelopeContentError(`envelope content: ${checked.problem}`);
  const json = Buffer.from(JSON.stringify(checked.content), 'utf8');
  if (json.length > LIMITS.maxEnvelopeContentBytes) throw new EnvelopeContentError(`envelope content is ${json.length} bytes, over the limit of ${LIMITS.maxEnvelopeContentBytes}`);
  return encode(ENVELOPE_VERSION_CONTENT, envelope, json);
}

/** A version-2 envelope, or undefined for anything malformed, over the limit or not matching the content schema. */
export function decodeEnvelopeV2(bytes: Uint8Array): EnvelopeV2 | undefined {
  const decoded = decode(bytes);
  if (decoded?.version !== ENVELOPE_VERSION_CONTENT || decoded.body.length > LIMITS.maxEnvelopeContentBytes) return undefined;
  const json = decodeUtf8(decoded.body);
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const checked = checkContent(value);
  return checked.ok ? { ...decoded.head, content: checked.content } : undefined;
}

/** True when the content is nothing but text, which travels as version 1 so older clients read it. */
export function isTextOnly(content: EnvelopeContent): content is { text: string } {
  const keys = Object.keys(content).filter((key) => content[key as keyof EnvelopeContent] !== undefined);
  return keys.length === 1 && keys[0] === 'text';
}

/** Version 1 for text-only content, version 2 otherwise. Throws EnvelopeContentError. */
export function encodeContentEnvelope(envelope: EnvelopeV2): Uint8Array {
  const { content } = envelope;
  if (isTextOnly(content)) {
    const checked = checkContent(content);
    if (!checked.ok) throw new EnvelopeContentError(`envelope content: ${checked.problem}`);
    return encodeEnvelope({ from: envelope.from, to: envelope.to, id: envelope.id, text: content.text });
  }
  return encodeEnvelopeV2(envelope);
}

/** An envelope of either version, or undefined for anything malformed. */
export function decodeAnyEnvelope(bytes: Uint8Array): OpenedEnvelope | undefined {
  if (bytes[0] === ENVELOPE_VERSION) {
    const v1 = decodeEnvelope(bytes);
    return v1 && { version: 1, from: v1.from, to: v1.to, id: v1.id, content: { text: v1.text } };
  }
  const v2 = decodeEnvelopeV2(bytes);
  return v2 && { version: 2, ...v2 };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
