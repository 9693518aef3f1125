/** Code in the conversation (issue 17): Share Selection to Chat and Ask ClassChat about this. */
import * as vscode from 'vscode';
import type { ChatSession } from './chat-session';
import { CodeShare } from './code-share-commands';
import type { CommandHandlers } from './command-ids';
import { ProblemCodeActions, ProblemQuestions } from './problem-questions';

export interface CodeHost {
  session(): ChatSession | undefined;
  connect(): Promise<void>;
  activeConversation(): string;
  showConversation(id: string): void;
}

export class CodeController implements vscode.Disposable {
  private readonly share: CodeShare;
  private readonly problems: ProblemQuestions;
  private readonly lightbulb: vscode.Disposable;

  constructor(host: CodeHost) {
    this.share = new CodeShare(host);
    this.problems = new ProblemQuestions(this.share);
    this.lightbulb = vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new ProblemCodeActions(() => host.session() !== undefined), {
      providedCodeActionKinds: ProblemCodeActions.kinds,
    });
  }

  commands(): Pick<CommandHandlers, 'shareSelection' | 'askAboutProblem'> {
    return {
      shareSelection: () => this.share.shareSelection(),
      askAboutProblem: (...args: unknown[]) => this.problems.ask(...args),
    };
  }

  dispose(): void {
    this.lightbulb.dispose();
  }
}
