/**
 * Sends frames from raw test clients and waits for their answers (the frame of type `reply`, or an
 * error, carrying the same id or rid): shared by the tests of several PostgreSQL nodes.
 */
import type { RawClient } from './raw-client';

export type Answer = { type: string; code?: string; room?: { member: boolean; size: number }; members?: string[] };

export interface RawAnswers {
  answer(client: RawClient, key: 'id' | 'rid', value: string, reply: string): Promise<Answer>;
  /** Sends `text` to `to`; resolves with `sent` or the error. */
  say(client: RawClient, to: string, text: string): Promise<Answer>;
  /** Sends `frame` with a fresh rid; resolves with the `reply` frame or the error. */
  request(client: RawClient, frame: Record<string, unknown>, reply: string): Promise<Answer>;
  moderate(client: RawClient, fields: Record<string, unknown>): Promise<Answer>;
  /** The error code, or the answer's type when it is not an error. */
  code(answer: Answer): string | undefined;
}

export function rawAnswers(): RawAnswers {
  let next = 0;
  const answer = (client: RawClient, key: 'id' | 'rid', value: string, reply: string): Promise<Answer> =>
    client.waitFor(
      () => client.frames.find((f) => (f.type === reply || f.type === 'error') && (f as Record<string, unknown>)[key] === value) as Answer | undefined,
      `the answer to ${value}`,
    );
  const request = (client: RawClient, frame: Record<string, unknown>, reply: string) => {
    const rid = `q${++next}`;
    client.send({ ...frame, rid });
    return answer(client, 'rid', rid, reply);
  };
  return {
    answer,
    request,
    say(client, to, text) {
      const id = `s${++next}`;
      client.send({ type: 'send', id, to, text });
      return answer(client, 'id', id, 'sent');
    },
    moderate: (client, fields) => request(client, { type: 'moderate', ...fields }, 'done'),
    code: (a) => (a.type === 'error' ? a.code : a.type),
  };
}
