/**
 * Reaction chips under a message: "👍 2" buttons naming who reacted (tooltip and accessible name),
 * pressed when one of them is yours. Clicking yours takes it back; clicking another adds yours.
 */
import type { MessageView } from './protocol';
import { el } from './render-element';

type Reactions = NonNullable<MessageView['reactions']>;

export function renderReactions(reactions: Reactions, me: string | undefined): HTMLElement {
  const row = el('div', 'reactions');
  row.setAttribute('role', 'group');
  row.setAttribute('aria-label', 'Reactions');
  for (const reaction of reactions) {
    const mine = me !== undefined && reaction.names.includes(me);
    const chip = el('button', 'reaction', `${reaction.emoji} ${reaction.names.length}`);
    chip.type = 'button';
    chip.dataset.emoji = reaction.emoji;
    chip.title = reaction.names.join(', ');
    const who = reaction.names.map((name) => (name === me ? 'you' : name)).join(', ');
    chip.setAttribute('aria-label', `${reaction.emoji} ${reaction.names.length}: ${who}${mine ? ' (press to take yours back)' : ''}`);
    chip.setAttribute('aria-pressed', String(mine));
    chip.classList.toggle('mine', mine);
    row.append(chip);
  }
  return row;
}

/** The reaction a click on a chip means: add `emoji`, or take it back when it is pressed (yours). */
export function reactionOf(target: EventTarget | null): { emoji: string; remove: boolean } | undefined {
  const chip = target instanceof Element ? target.closest<HTMLElement>('button.reaction') : null;
  const emoji = chip?.dataset.emoji;
  if (!chip || emoji === undefined) return undefined;
  return { emoji, remove: chip.getAttribute('aria-pressed') === 'true' };
}
