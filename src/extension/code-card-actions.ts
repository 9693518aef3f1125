/**
 * What the chat view's code cards, code blocks and `path:line` links ask for (issue 17): Copy,
 * Open as Untitled, Compare with My File, Go to My Copy, open a linked file. Every request is
 * checked (webview/code-protocol.ts) before anything opens, and files open only from this user's
 * workspace (workspace-files.ts); what cannot be done gets a message saying why.
 */
import * as vscode from 'vscode';
import { checkCodeMessage, CodeWebviewMessage, isCodeMessageType } from '../../webview/code-protocol';
import * as notices from './notices';
import { findWorkspaceFile } from './workspace-files';

export class CodeCardActions {
  constructor(private readonly log: (message: string) => void) {}

  /** True when `raw` was a code request (done, or refused with a message); false: not ours. */
  handle(raw: unknown): boolean {
    if (!isCodeMessageType(raw)) return false;
    const check = checkCodeMessage(raw);
    if (!check.ok) {
      this.log(`refused a code request from the chat view: ${check.problem}`);
      void notices.error(`ClassChat: ${check.problem.startsWith('ClassChat') ? check.problem : `that cannot be opened: ${check.problem}.`}`);
      return true;
    }
    this.run(check.message).catch((error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      this.log(`${check.message.type} failed: ${text}`);
      void notices.error(`ClassChat: ${text}`);
    });
    return true;
  }

  /** Runs one checked request. */
  private async run(message: CodeWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'copyCode':
        await vscode.env.clipboard.writeText(message.code);
        notices.statusMessage('ClassChat: code copied', 3000);
        return;
      case 'openUntitled': {
        const document = await vscode.workspace.openTextDocument({ language: await knownLanguage(message.language), content: message.code });
        await vscode.window.showTextDocument(document, { preview: false });
        return;
      }
      case 'compareWithMine':
        return this.compare(message);
      case 'openFileAt':
        return this.openAt(message.path, message.line, message.column);
    }
  }

  private async openAt(path: string, line: number, column?: number): Promise<void> {
    const found = await findWorkspaceFile(path);
    if (!found.ok) {
      void notices.warning(found.problem);
      return;
    }
    const document = await vscode.workspace.openTextDocument(found.uri);
    const at = new vscode.Position(Math.min(line, Math.max(document.lineCount, 1)) - 1, (column ?? 1) - 1);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(at, at), preview: true });
  }

  /** The diff of my copy with the shared lines put in place of mine: only what differs shows. */
  private async compare(message: Extract<CodeWebviewMessage, { type: 'compareWithMine' }>): Promise<void> {
    const found = await findWorkspaceFile(message.path);
    if (!found.ok) {
      void notices.warning(`${found.problem} Nothing to compare with; Open as Untitled shows the shared code.`);
      return;
    }
    const mine = await vscode.workspace.openTextDocument(found.uri);
    const lines = mine.getText().split(/\r?\n/u);
    const shared = message.code.split('\n');
    const theirs = [...lines.slice(0, message.startLine - 1), ...shared, ...lines.slice(message.endLine)].join('\n');
    const left = await vscode.workspace.openTextDocument({ language: mine.languageId, content: theirs });
    const lineText = message.startLine === message.endLine ? `${message.startLine}` : `${message.startLine}-${message.endLine}`;
    await vscode.commands.executeCommand('vscode.diff', left.uri, found.uri, `${message.path}:${lineText} shared ↔ yours`);
  }
}

/** The language if VS Code knows it, else plain text (an unknown id would fail to open). */
async function knownLanguage(language: string): Promise<string> {
  const known = await vscode.languages.getLanguages();
  return known.includes(language) ? language : 'plaintext';
}
