/**
 * "Ask ClassChat about this" (issue 17): from the lightbulb on an error or warning, or the
 * Problems view's context menu, the Share flow starts with the diagnostic's message, code and
 * source as the question and the lines around it as the snippet.
 */
import * as vscode from 'vscode';
import { COMMANDS } from './command-ids';
import type { CodeShare } from './code-share-commands';
import { snippetOfLines } from './code-share-commands';
import * as notices from './notices';

/** Lines shown above and below the problem. */
const CONTEXT_LINES = 3;
const ASK_TITLE = 'Ask ClassChat about this';

/** The lightbulb entry, offered on errors and warnings while connected. */
export class ProblemCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly connected: () => boolean) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!this.connected()) return [];
    return context.diagnostics
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning)
      .slice(0, 1)
      .map((diagnostic) => {
        const action = new vscode.CodeAction(ASK_TITLE, vscode.CodeActionKind.QuickFix);
        action.command = { command: COMMANDS.askAboutProblem, title: ASK_TITLE, arguments: [document.uri, diagnostic] };
        action.diagnostics = [diagnostic];
        return action;
      });
  }
}

/** What a problem is, however the command was reached. */
interface Problem {
  uri: vscode.Uri;
  /** 0-based lines. */
  startLine: number;
  endLine: number;
  message: string;
  source?: string;
  code?: string;
  severity: 'error' | 'warning' | 'problem';
}

export class ProblemQuestions {
  constructor(private readonly share: CodeShare) {}

  /** The command: (uri, diagnostic) from the lightbulb, a Problems view marker, or nothing (the cursor's problem). */
  async ask(...args: unknown[]): Promise<void> {
    const problem = problemOf(args) ?? problemAtCursor();
    if (!problem) {
      void notices.info('ClassChat: put the cursor on an error or warning, or use the lightbulb on it, to ask about it.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(problem.uri);
    const last = Math.max(document.lineCount - 1, 0);
    const first = Math.max(0, Math.min(problem.startLine, last) - CONTEXT_LINES);
    const end = Math.min(last, Math.max(problem.endLine, problem.startLine) + CONTEXT_LINES);
    const result = snippetOfLines(document, first, end);
    if (!result.ok) {
      void notices.error(result.problem);
      return;
    }
    await this.share.share(result.snippet, questionOf(problem));
  }
}

/** "Why do I get this error on line 12: … (ts 2322)?" */
export function questionOf(problem: Pick<Problem, 'startLine' | 'message' | 'source' | 'code' | 'severity'>): string {
  const origin = [problem.source, problem.code].filter((part) => part !== undefined && part !== '').join(' ');
  const message = problem.message.replace(/\s+/gu, ' ').trim().slice(0, 500);
  return `Why do I get this ${problem.severity} on line ${problem.startLine + 1}: ${message}${origin ? ` (${origin})` : ''}?`;
}

/** vscode.DiagnosticSeverity (0 error, 1 warning), or a Problems view marker's (8 error, 4 warning). */
function severityOf(value: unknown, marker = false): Problem['severity'] {
  if (value === (marker ? 8 : vscode.DiagnosticSeverity.Error)) return 'error';
  if (value === (marker ? 4 : vscode.DiagnosticSeverity.Warning)) return 'warning';
  return 'problem';
}

function codeOf(code: unknown): string | undefined {
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  if (typeof code === 'object' && code !== null && 'value' in code) return codeOf(code.value);
  return undefined;
}

function isUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri || (typeof value === 'object' && value !== null && 'fsPath' in value && 'scheme' in value);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The problem the command's arguments describe, or undefined when they describe none. */
function problemOf(args: readonly unknown[]): Problem | undefined {
  const [first, second] = args;
  const diagnostic = record(second);
  const range = record(diagnostic?.range);
  if (isUri(first) && diagnostic && typeof diagnostic.message === 'string' && range) {
    const start = record(range.start);
    const end = record(range.end);
    if (typeof start?.line !== 'number' || typeof end?.line !== 'number') return undefined;
    return { uri: first, startLine: start.line, endLine: end.line, message: diagnostic.message, source: typeof diagnostic.source === 'string' ? diagnostic.source : undefined, code: codeOf(diagnostic.code), severity: severityOf(diagnostic.severity) };
  }
  // The Problems view hands its marker element: { marker: { resource, message, startLineNumber, … } }.
  const marker = record(record(first)?.marker) ?? record(first);
  const resource = marker?.resource;
  if (!marker || typeof marker.message !== 'string' || typeof marker.startLineNumber !== 'number') return undefined;
  const uri = isUri(resource) ? resource : uriFromComponents(resource);
  if (!uri) return undefined;
  const endLine = typeof marker.endLineNumber === 'number' ? marker.endLineNumber : marker.startLineNumber;
  return { uri, startLine: marker.startLineNumber - 1, endLine: endLine - 1, message: marker.message, source: typeof marker.source === 'string' ? marker.source : undefined, code: codeOf(marker.code), severity: severityOf(marker.severity, true) };
}

function uriFromComponents(value: unknown): vscode.Uri | undefined {
  const parts = record(value);
  if (typeof parts?.scheme !== 'string' || typeof parts.path !== 'string') return undefined;
  return vscode.Uri.from({ scheme: parts.scheme, path: parts.path, authority: typeof parts.authority === 'string' ? parts.authority : undefined });
}

/** The first error or warning under the active editor's cursor. */
function problemAtCursor(): Problem | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const line = editor.selection.active.line;
  const found = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.range.start.line <= line && line <= d.range.end.line)
    .sort((a, b) => a.severity - b.severity)[0];
  if (!found) return undefined;
  return problemOf([editor.document.uri, found]);
}
