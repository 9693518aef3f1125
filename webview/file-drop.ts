/**
 * Paste a file (a screenshot, a copied file) or drop one onto the composer: it is read and posted
 * to the host, which checks it and sends it like Send File to Classmate (file-drop-protocol.ts).
 * Only in a classmate's conversation: files go to one person.
 */
import { FILES_TO_CLASSMATES, MAX_DROPPED_FILE_BYTES, tooLargeText, DroppedFileMessage } from './file-drop-protocol';
import { EVERYONE_ID } from './protocol';

export interface FileDropHost {
  /** The open conversation's id. */
  conversation(): string;
  /** Why the composer cannot send here, or undefined. */
  blocked(): string | undefined;
  post(message: DroppedFileMessage): void;
  notice(text: string): void;
}

/** Listens for pasted and dropped files on `composer` (text pastes are left to the text box). */
export function attachFileDrop(composer: HTMLElement, host: FileDropHost): void {
  composer.addEventListener('paste', (event) => {
    const files = Array.from(event.clipboardData?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    void sendFiles(files, host);
  });
  composer.addEventListener('dragover', (event) => {
    if (!event.dataTransfer || !Array.from(event.dataTransfer.types).includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    composer.classList.add('drop-target');
  });
  composer.addEventListener('dragleave', () => composer.classList.remove('drop-target'));
  composer.addEventListener('drop', (event) => {
    composer.classList.remove('drop-target');
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    void sendFiles(files, host);
  });
}

async function sendFiles(files: readonly File[], host: FileDropHost): Promise<void> {
  const conversation = host.conversation();
  if (conversation === EVERYONE_ID || conversation.startsWith('#')) return host.notice(FILES_TO_CLASSMATES);
  const blocked = host.blocked();
  if (blocked !== undefined) return host.notice(blocked);
  for (const file of files) {
    if (file.size > MAX_DROPPED_FILE_BYTES) {
      host.notice(tooLargeText(file.name, file.size));
      continue;
    }
    const data = base64Of(new Uint8Array(await file.arrayBuffer()));
    host.post({ type: 'sendDroppedFile', conversation, name: file.name, size: file.size, data });
  }
}

/** btoa over chunks: one String.fromCharCode call per 32 KiB keeps within the argument limit. */
function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}
