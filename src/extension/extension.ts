/**
 * Entry point: `activate` only wires things up, and every registration goes into
 * `context.subscriptions`. Activation happens on the contributed commands and views only.
 */
import * as vscode from 'vscode';
import { ChatViewProvider } from './chat-view';
import { CodeCardActions } from './code-card-actions';
import { ChatViewModel } from './chat-view-model';
import { ClassmatesProvider } from './classmates-view';
import { CommandKey, COMMANDS } from './command-ids';
import { Controller } from './controller';
import * as notices from './notices';

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('ClassChat', { log: true });
  const chatView = new ChatViewModel({
    connect: () => void vscode.commands.executeCommand(COMMANDS.connect),
    verify: (name) => void vscode.commands.executeCommand(COMMANDS.verifyKey, name),
    saveFile: (file) => void controller?.saveFile(file),
    room: (action, room) => void vscode.commands.executeCommand(COMMANDS[action], room),
    copy: (text) => void vscode.env.clipboard.writeText(text),
    log: (message) => output.warn(message),
  });
  const classmates = new ClassmatesProvider();
  const current = new Controller(context, chatView, classmates, output);
  controller = current;
  const codeCards = new CodeCardActions((message) => output.warn(message));
  context.subscriptions.push(output, classmates, ChatViewProvider.register(context.extensionUri, chatView, (message) => codeCards.handle(message) || current.handleDroppedFile(message)), current);
  const handlers = current.handlers();
  for (const key of Object.keys(COMMANDS) as CommandKey[]) {
    const handler = handlers[key];
    context.subscriptions.push(
      vscode.commands.registerCommand(COMMANDS[key], async (...args: unknown[]) => {
        try {
          await handler(...args);
        } catch (error) {
          output.error(`${COMMANDS[key]} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          void notices.error(`ClassChat: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
  }
  current.autoConnect();
}

/** Closes the connection and stops the local server, flushing its store, before the host exits. */
export async function deactivate(): Promise<void> {
  const stopping = controller;
  controller = undefined;
  await stopping?.shutdown();
}
