/** The "Chat" webview view: HTML with a nonce'd script, messages passed to ChatViewModel. */
import * as vscode from 'vscode';
import { chatHtml, newNonce } from './chat-html';
import type { ChatViewModel } from './chat-view-model';
import { VIEWS } from './command-ids';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: ChatViewModel,
    /** Requests handled outside the chat model (code cards: code-card-actions.ts); true when taken. */
    private readonly handleOther: (message: unknown) => boolean = () => false,
  ) {}

  static register(extensionUri: vscode.Uri, model: ChatViewModel, handleOther?: (message: unknown) => boolean): vscode.Disposable {
    const provider = new ChatViewProvider(extensionUri, model, handleOther);
    // No retainContextWhenHidden: the webview restores itself from getState and a `ready` snapshot.
    return vscode.Disposable.from(vscode.window.registerWebviewViewProvider(VIEWS.chat, provider), provider);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [root] };
    view.webview.html = chatHtml({
      cspSource: view.webview.cspSource,
      nonce: newNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
    });
    this.model.attach((message) => void view.webview.postMessage(message));
    this.model.setVisible(view.visible);
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((message: unknown) => {
        if (!this.handleOther(message)) this.model.handle(message);
      }),
      view.onDidChangeVisibility(() => this.model.setVisible(view.visible)),
      view.onDidDispose(() => {
        if (this.view === view) this.disposeView();
      }),
    );
  }

  dispose(): void {
    this.disposeView();
  }

  private disposeView(): void {
    for (const disposable of this.viewDisposables) disposable.dispose();
    this.viewDisposables = [];
    if (this.view) this.model.detach();
    this.view = undefined;
  }
}
