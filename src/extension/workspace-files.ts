/**
 * Paths of PROTOCOL.md section 23 against this user's workspace: a shared `path` is looked up
 * only inside the open workspace folders (never absolute, never `..`), and a file of this
 * workspace is named by its workspace-relative, "/"-separated path when shared.
 */
import { basename, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { pathProblem } from '../protocol/code-snippets';

export type WorkspaceFile = { ok: true; uri: vscode.Uri } | { ok: false; problem: string };

/** The file `path` names in the first workspace folder that has it, or why there is none. */
export async function findWorkspaceFile(path: string): Promise<WorkspaceFile> {
  const problem = pathProblem(path);
  if (problem !== undefined) return { ok: false, problem: `ClassChat does not open "${path.slice(0, 80)}": ${problem}.` };
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return { ok: false, problem: `Open the folder that has ${path} first: ClassChat opens files only inside your workspace.` };
  for (const folder of folders) {
    const uri = vscode.Uri.joinPath(folder.uri, ...path.split('/'));
    const type = await vscode.workspace.fs.stat(uri).then(
      (stat) => stat.type,
      () => undefined,
    );
    if (type !== undefined && (type & vscode.FileType.File) !== 0) return { ok: true, uri };
  }
  return { ok: false, problem: `There is no ${path} in your workspace (${folders.map((f) => f.name).join(', ')}).` };
}

/** How a document is named when shared: relative to its workspace folder, else its file name. */
export function sharedPathOf(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const inFolder = folder ? relative(folder.uri.fsPath, uri.fsPath) : '';
  if (folder && inFolder !== '' && !inFolder.startsWith('..')) return inFolder.split(sep).join('/');
  return basename(uri.fsPath) || 'untitled';
}
