/**
 * Text another person chose (sender names, file names, link text) can carry Unicode direction
 * controls: U+202E makes "\u202Efdp.exe" read "exe.pdf". Such text is shown isolated from what
 * surrounds it (<bdi dir=auto>, see isolated-text.ts), each control replaced by a visible label,
 * and flagged. Pure: no DOM, so it is tested in plain Node.
 */

const CONTROL_NAMES: ReadonlyMap<string, string> = new Map([
  ['\u061C', 'ALM'],
  ['\u200E', 'LRM'],
  ['\u200F', 'RLM'],
  ['\u202A', 'LRE'],
  ['\u202B', 'RLE'],
  ['\u202C', 'PDF'],
  ['\u202D', 'LRO'],
  ['\u202E', 'RLO'],
  ['\u2066', 'LRI'],
  ['\u2067', 'RLI'],
  ['\u2068', 'FSI'],
  ['\u2069', 'PDI'],
]);
const DIRECTION_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export interface IsolatedText {
  /** What to show: each direction control as a visible label, e.g. "⟨RLO⟩fdp.exe". */
  shown: string;
  /** The controls found, by their short names, in order (empty for ordinary text). */
  controls: string[];
}

/** `text` with its direction controls made visible (pure: no DOM). */
export function isolateText(text: string): IsolatedText {
  const controls: string[] = [];
  const shown = text.replace(DIRECTION_CONTROL, (ch) => {
    const name = CONTROL_NAMES.get(ch)!;
    controls.push(name);
    return `⟨${name}⟩`;
  });
  return { shown, controls };
}

/** The warning a flagged text carries, naming its controls once each. */
export function directionWarning(controls: readonly string[]): string {
  return `Contains hidden direction controls (${[...new Set(controls)].join(', ')}) that make text read differently from what it is; they are shown as ⟨…⟩.`;
}
