/** The classchat.* settings as VS Code holds them; settings.ts makes sense of them without vscode. */
import * as vscode from 'vscode';
import { SETTINGS_SECTION, SettingGetter } from './settings';

/** Read at each use, so a changed setting applies without reloading the window. */
export const readSetting: SettingGetter = (key) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get(key);

/** Saves the name picked at the first Connect in the user's settings (classchat.userName). */
export async function saveUserName(name: string): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('userName', name, vscode.ConfigurationTarget.Global);
}

