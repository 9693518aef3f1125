/**
 * "Share Selection to Chat" (issue 17): the selected lines of the editor, with their
 * workspace-relative path, lines and language, go as a snippet message (PROTOCOL.md section 23)
 * to Everyone, a classmate or a room, with an optional question. It goes through the session's
 * ordinary send, so private and room messages are end-to-end encrypted like any other.
 */
import * as vscode from 'vscode';
import { CodeSnippet, formatSnippetMessage, MAX_SNIPPET_LINES, snippetProblem } from '../protocol/code-snippets';
import { LIMITS } from '../protocol/limits';
import { EVERYONE_ID } from '../../webview/protocol';
import type { ChatSession } from './chat-session';
import { classmateItem } from './classmate-items';
import * as notices from './notices';
import { roomPicks } from './room-picks';
import { roomId } from './session-rooms';
import { sharedPathOf } from './workspace-files';

/** What sharing needs from the rest of the extension. */
export interface CodeShareHost {
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  /** The conversation open in the chat view: offered first. */
  activeConversation(): string;
  /** Shows a conversation in the chat view. */
  showConversation(id: string): void;
}

export type SnippetOrProblem = { ok: true; snippet: CodeSnippet } | { ok: false; problem: string };

/** The whole lines `first`..`last` (0-based) of `document` as a snippet, or why they cannot be shared. */
export function snippetOfLines(document: vscode.TextDocument, first: number, last: number): SnippetOrProblem {
  const count = last - first + 1;
  if (count > MAX_SNIPPET_LINES) {
    return { ok: false, problem: `ClassChat shares at most ${MAX_SNIPPET_LINES} lines at once, and this is ${count}. Select fewer lines, or send the whole file with Send File to Classmate.` };
  }
  const code = document.getText(new vscode.Range(first, 0, last, document.lineAt(last).text.length));
  const snippet: CodeSnippet = { language: document.languageId, path: sharedPathOf(document.uri), startLine: first + 1, endLine: last + 1, code };
  const problem = snippetProblem(snippet);
  if (problem !== undefined) return { ok: false, problem: `ClassChat cannot share this: ${problem}.` };
  const bytes = Buffer.byteLength(formatSnippetMessage('', snippet));
  if (bytes > LIMITS.maxTextBytes) {
    return { ok: false, problem: `ClassChat cannot share this: a message holds at most ${LIMITS.maxTextBytes / 1024} KiB and these lines are ${Math.ceil(bytes / 1024)} KiB. Select fewer lines, or send the file with Send File to Classmate.` };
  }
  return { ok: true, snippet };
}

/** The selected lines of `editor`; a selection ending at the start of a line leaves that line out. */
export function snippetOfSelection(editor: vscode.TextEditor): SnippetOrProblem {
  const { start, end, isEmpty } = editor.selection;
  if (isEmpty) return { ok: false, problem: 'ClassChat: select the lines to share first.' };
  const last = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return snippetOfLines(editor.document, start.line, last);
}

export class CodeShare {
  constructor(private readonly host: CodeShareHost) {}

  /** The command: the active editor's selection. */
  async shareSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void notices.info('ClassChat: open a file and select the lines to share.');
      return;
    }
    const result = snippetOfSelection(editor);
    if (!result.ok) {
      void notices.error(result.problem);
      return;
    }
    await this.share(result.snippet, '');
  }

  /** Asks where to, and for a question (prefilled with `question`), then sends. */
  async share(snippet: CodeSnippet, question: string): Promise<void> {
    if (!this.host.session()) {
      const choice = await notices.info('ClassChat: connect before sharing code.', 'Connect');
      if (choice === 'Connect') await this.host.connect();
      if (!this.host.session()) return;
    }
    const where = `${snippet.path}:${snippet.startLine === snippet.endLine ? snippet.startLine : `${snippet.startLine}-${snippet.endLine}`}`;
    const to = await this.pickConversation(`ClassChat: share ${where} with…`);
    if (to === undefined) return;
    const asked = await notices.input({
      title: `ClassChat: share ${where}`,
      prompt: 'A question or note to go with the code (optional), then Enter to send',
      value: question,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const bytes = Buffer.byteLength(formatSnippetMessage(value, snippet));
        return bytes > LIMITS.maxTextBytes ? `Too long by ${bytes - LIMITS.maxTextBytes} bytes for one message.` : undefined;
      },
    });
    const session = this.host.session();
    if (asked === undefined || !session) return;
    session.send(to, formatSnippetMessage(asked, snippet));
    this.host.showConversation(to);
  }

  /** Everyone, the rooms this user is in and classmates, where sending is possible now; the open one first. */
  private async pickConversation(title: string): Promise<string | undefined> {
    const session = this.host.session();
    if (!session) return undefined;
    const open = (id: string) => session.sendBlocked(id) === undefined;
    const everyone: notices.PickItem<string>[] = open(EVERYONE_ID) ? [{ label: 'Everyone', description: 'the whole class · the server can read it', iconPath: new vscode.ThemeIcon('globe'), value: EVERYONE_ID }] : [];
    const rooms = roomPicks(session.rooms.mine(), this.host.activeConversation())
      .map((pick) => ({ ...pick, value: roomId(pick.value) }))
      .filter((pick) => open(pick.value));
    const classmates = session.conversations
      .classmates()
      .filter((c) => open(c.name))
      .map((c) => ({ label: c.name, description: classmateItem(c).description || 'online', iconPath: new vscode.ThemeIcon('lock'), value: c.name }));
    const picks = [...everyone, ...rooms, ...classmates];
    const active = picks.findIndex((pick) => pick.value === this.host.activeConversation());
    if (active > 0) picks.unshift(...picks.splice(active, 1));
    if (picks.length === 0) {
      void notices.info('ClassChat: there is nowhere to send to right now.');
      return undefined;
    }
    return notices.pick(picks, { title, placeHolder: 'Everyone, a classmate or a room', matchOnDescription: true });
  }
}
