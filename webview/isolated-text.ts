/** DOM for text another person chose: isolated, with direction controls shown and flagged (see direction-controls.ts). */
import { directionWarning, isolateText } from './direction-controls';
import { el } from './render-element';

export const DIRECTION_BADGE = '⚠ direction override';

/**
 * The text as an isolated `<bdi dir="auto">` (with `className`); text with direction controls
 * comes as a span holding that bdi, its controls shown, and a warning badge after it.
 */
export function renderIsolated(text: string, className?: string): HTMLElement {
  const { shown, controls } = isolateText(text);
  const bdi = el('bdi', className, shown);
  bdi.dir = 'auto';
  if (controls.length === 0) return bdi;
  const warning = directionWarning(controls);
  bdi.title = warning;
  const badge = el('span', 'mark direction-warning', DIRECTION_BADGE);
  badge.title = warning;
  const wrapper = el('span', 'direction-flagged');
  wrapper.append(bdi, ' ', badge);
  return wrapper;
}
