/** `@name` mentions in a message's text, so an application can notify the people named. */
import { checkName } from '../../protocol/names';

/** An `@` not preceded by a name character (so `bob@school.org` is no mention), then a name's characters. */
const MENTION = /(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{1,40})/g;

/** The valid user names mentioned in `text`, normalised, each once, in order. */
export function mentionsIn(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    // A sentence may end right after the name: "thanks @bob."
    const checked = checkName(match[1].replace(/[.-]+$/, ''));
    if (checked.ok && !names.includes(checked.name)) names.push(checked.name);
  }
  return names;
}
