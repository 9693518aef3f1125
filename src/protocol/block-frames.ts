/**
 * Blocking a classmate (PROTOCOL.md 20.9, v3 with the `blocks` feature): `block`, `unblock` and
 * `block_list`, each answered with `blocked` (the whole list after it). The server keeps the list
 * per user, stops delivering the blocked person's private messages and file offers to the
 * blocker, and sends `blocked` (without a rid) to the user's other sessions when it changes.
 */
import { z } from 'zod';
import { LIMITS } from './limits';
import { clientId, rawName } from './primitives';

/** The `hello.features` entry of a server that keeps block lists. */
export const BLOCKS_FEATURE = 'blocks';

const userName = z.string().min(1).max(32);

export const blockFrame = z.object({ type: z.literal('block'), rid: clientId, name: rawName });
export const unblockFrame = z.object({ type: z.literal('unblock'), rid: clientId, name: rawName });
export const blockListFrame = z.object({ type: z.literal('block_list'), rid: clientId });

export const BLOCK_CLIENT_FRAME_SCHEMAS = {
  block: blockFrame,
  unblock: unblockFrame,
  block_list: blockListFrame,
} as const;

/** The user's whole block list: the answer to a request (`rid`), or news of a change made elsewhere (no `rid`). */
const blockedFrame = z.object({
  type: z.literal('blocked'),
  rid: clientId.optional(),
  names: z.array(userName).max(LIMITS.maxBlocked),
});

export const BLOCK_SERVER_FRAME_SCHEMAS = { blocked: blockedFrame } as const;
