/**
 * The chat view's per-message actions on the host side: edit, delete and react, each handed to
 * the client library, which checks the target (seen here, not deleted, yours to edit) and the
 * server, which checks the rest. A refusal comes back as a notice in the view, in plain words.
 */
import type { WebviewMessage } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import { describeSendError } from './error-text';

export type MessageAction = Extract<WebviewMessage, { type: 'edit' | 'delete' | 'react' }>;

const VERBS: Record<MessageAction['type'], string> = { edit: 'edit the message', delete: 'delete the message', react: 'react' };

/** Runs `action` in `session`; `refused` gets the reason when the client or the server says no. */
export function runMessageAction(session: ChatSession | undefined, action: MessageAction, refused: (text: string) => void): void {
  const fail = (error: unknown) => refused(`Could not ${action.type === 'react' && action.remove ? 'take back the reaction' : VERBS[action.type]}: ${describeSendError(error)}`);
  if (!session) {
    refused('Not connected. Connect to change messages.');
    return;
  }
  try {
    start(session, action).catch(fail);
  } catch (error) {
    // The library checks synchronously (not seen, not yours, not served) before anything is sent.
    fail(error);
  }
}

function start(session: ChatSession, action: MessageAction): Promise<unknown> {
  const { references } = session;
  switch (action.type) {
    case 'edit':
      return references.editMessage(action.conversation, action.seq, action.text);
    case 'delete':
      return references.deleteMessage(action.conversation, action.seq);
    case 'react':
      return action.remove ? references.unreact(action.conversation, action.seq, action.emoji) : references.react(action.conversation, action.seq, action.emoji);
  }
}
