/** The API VS Code injects into webviews (a stand-in provides it in browser tests). */
import type { CodeWebviewMessage } from './code-protocol';
import type { DroppedFileMessage } from './file-drop-protocol';
import type { WebviewMessage } from './protocol';
import type { PersistedState } from './view-state';

export interface VsCodeApi {
  postMessage(message: WebviewMessage | CodeWebviewMessage | DroppedFileMessage): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
