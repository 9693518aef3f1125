/**
 * Protocol v3's message references (PROTOCOL.md section 20.5): a `send` that replies to, edits,
 * deletes or reacts to an earlier message names it by seq, and what the server keeps of an
 * edited or deleted one; plus the content object a version-2 envelope carries inside a box.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { clientId, seq, textSchema } from './primitives';

/** The `hello.features` entry of a server that serves references (20). */
export const REFS_FEATURE = 'refs';

export const REF_RELATIONS = ['reply', 'edit', 'delete', 'react', 'unreact'] as const;
export type RefRelation = (typeof REF_RELATIONS)[number];

export const refSchema = z.strictObject({ seq, rel: z.enum(REF_RELATIONS) });
export type MessageRef = z.infer<typeof refSchema>;

/** On a stored message in `history`: its newest edit. */
export const editedSchema = z.object({ seq, id: clientId, ts: z.number().int().min(0) });
/** On a stored message in `history`: it was deleted, its content erased. */
export const deletedSchema = z.object({ by: z.string().min(1).max(32), ts: z.number().int().min(0) });

export function isReactionText(text: string): boolean {
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes >= 1 && bytes <= LIMITS.maxReactionBytes && !/\s/.test(text);
}

/** A reference inside a box also names the target's id, so a server cannot point it elsewhere. */
const innerRef = z.strictObject({ seq, id: clientId });

/** The JSON content of a version-2 envelope (inside a private or room box). */
export const envelopeContentSchema = z.object({
  text: textSchema.optional(),
  reply: innerRef.optional(),
  edit: innerRef.optional(),
  react: z.strictObject({ seq, id: clientId, emoji: z.string().refine(isReactionText, 'a reaction is 1-32 bytes without spaces'), remove: z.boolean().optional() }).optional(),
  /** A sender key for a room (20.3); such messages are sent with `send.hidden`. */
  roomKey: z
    .strictObject({
      room: z.string().min(1).max(32),
      keyId: z.string().length(12),
      iteration: z.number().int().min(0).max(0xffffffff),
      chainKey: z.string().length(44),
      signingKey: z.string().length(44),
    })
    .optional(),
});
export type EnvelopeContent = z.infer<typeof envelopeContentSchema>;

/** What a v3 `send` may carry beyond v2's fields. */
export const sendReferenceFields = {
  ref: refSchema.optional(),
  /** A room-key distribution (20.3): delivered to v3 clients only and not shown. */
  hidden: z.literal(true).optional(),
};

/**
 * The content rule of a v3 `send`: a delete carries no content, a clear reaction carries a short
 * `text`, everything else exactly one of `text` and `box`. Returns the problem, or undefined.
 */
export function sendContentProblem(frame: { text?: string; box?: unknown; ref?: MessageRef }): string | undefined {
  const hasText = frame.text !== undefined;
  const hasBox = frame.box !== undefined;
  const rel = frame.ref?.rel;
  if (rel === 'delete') return hasText || hasBox ? 'a delete carries neither text nor box' : undefined;
  if (hasText === hasBox) return 'exactly one of text and box is required';
  if (rel === 'react' || rel === 'unreact') {
    if (!hasText) return 'a reaction outside a box is text (inside encrypted conversations it travels in the box)';
    if (!isReactionText(frame.text!)) return `a reaction is 1-${LIMITS.maxReactionBytes} bytes without spaces`;
  }
  return undefined;
}
