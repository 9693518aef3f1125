/**
 * `path:line` and `path:line:col` in message text as links to the reader's own workspace
 * (PROTOCOL.md section 23, findFileLinks). A link is a button carrying the path and line as data:
 * there is no href to follow, so nothing but the host's checked open can happen on a click.
 */
import { findFileLinks } from '../src/protocol/file-links';
import { el } from './render-element';

export function renderFileLinks(text: string): Node {
  const links = findFileLinks(text);
  if (links.length === 0) return document.createTextNode(text);
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const link of links) {
    if (link.start > at) fragment.append(text.slice(at, link.start));
    const button = el('button', 'file-link', text.slice(link.start, link.end));
    button.type = 'button';
    button.dataset.path = link.path;
    button.dataset.line = String(link.line);
    if (link.column !== undefined) button.dataset.column = String(link.column);
    button.title = `Open ${link.path} at line ${link.line} in your workspace`;
    fragment.append(button);
    at = link.end;
  }
  if (at < text.length) fragment.append(text.slice(at));
  return fragment;
}
