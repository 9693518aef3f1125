/**
 * The composer's reply and edit modes, shown in a bar above it ("Replying to bob: …" / "Editing
 * your message"), with a Cancel button; Escape cancels too. Editing puts the message's text in
 * the composer and gives the unsent draft back afterwards.
 */
import { renderIsolated } from './isolated-text';
import type { MessageView } from './protocol';
import { el } from './render-element';

export type ComposerMode = { kind: 'reply'; message: MessageView } | { kind: 'edit'; message: MessageView; draft: string };

/** Characters of the original the bar quotes. */
const QUOTE_CHARS = 60;

export class ComposerModeBar {
  readonly element = el('div', 'composer-mode');
  private current: ComposerMode | undefined;

  /** `cancelled`: the user left the mode (Cancel or Escape), not by sending. */
  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly cancelled: (mode: ComposerMode) => void,
  ) {
    this.element.hidden = true;
    this.element.setAttribute('role', 'status');
  }

  get mode(): ComposerMode | undefined {
    return this.current;
  }

  reply(message: MessageView): void {
    this.leave(false);
    this.current = { kind: 'reply', message };
    this.drawBar();
    this.input.focus();
  }

  edit(message: MessageView): void {
    this.leave(false);
    this.current = { kind: 'edit', message, draft: this.input.value };
    this.input.value = message.text ?? '';
    this.drawBar();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  /** The mode ends: sent (`byUser` false) or cancelled by the user. An edit gives the draft back. */
  leave(byUser: boolean): void {
    const mode = this.current;
    if (!mode) return;
    this.current = undefined;
    if (mode.kind === 'edit') this.input.value = mode.draft;
    this.drawBar();
    if (byUser) this.cancelled(mode);
  }

  /** Escape in the composer: true when it ended a mode. */
  onKeydown(event: KeyboardEvent): boolean {
    if (event.key !== 'Escape' || !this.current) return false;
    event.preventDefault();
    this.leave(true);
    return true;
  }

  private drawBar(): void {
    const mode = this.current;
    this.element.replaceChildren();
    this.element.hidden = mode === undefined;
    this.input.closest('form')?.classList.toggle('editing', mode?.kind === 'edit');
    if (!mode) return;
    const label = el('span', 'composer-mode-text');
    if (mode.kind === 'reply') {
      const text = mode.message.deleted ? 'a deleted message' : (mode.message.text ?? mode.message.file?.name ?? 'a message');
      const first = text.split('\n')[0];
      label.append('Replying to ', renderIsolated(mode.message.from), ': ', renderIsolated(first.length > QUOTE_CHARS ? `${first.slice(0, QUOTE_CHARS)}…` : first));
    } else {
      label.append('Editing your message');
    }
    const cancel = el('button', 'composer-mode-cancel', 'Cancel');
    cancel.type = 'button';
    cancel.setAttribute('aria-label', mode.kind === 'reply' ? 'Cancel reply (Escape)' : 'Cancel editing (Escape)');
    cancel.addEventListener('click', () => this.leave(true));
    this.element.append(label, cancel);
  }
}
