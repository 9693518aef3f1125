/** Shows an ErrorText as an error notification whose Retry and Open Settings buttons do their jobs. */
import * as vscode from 'vscode';
import type { ErrorText } from './error-text';
import * as notices from './notices';
import { SETTINGS_SECTION } from './settings';

/** Retry is offered only when the text allows it and there is something to retry. */
export async function showErrorText(text: ErrorText, retry?: () => Promise<void>): Promise<void> {
  const labels: string[] = [];
  if (text.actions.includes('retry') && retry) labels.push('Retry');
  if (text.actions.includes('openSettings')) labels.push('Open Settings');
  const choice = await notices.error(`ClassChat: ${text.message}`, ...labels);
  if (choice === 'Retry' && retry) await retry();
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', text.setting ?? SETTINGS_SECTION);
}
