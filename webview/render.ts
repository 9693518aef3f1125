/**
 * DOM building for the chat. Message text only ever reaches the page through `textContent`
 * and element attributes we set (never innerHTML), so `<script>` or `<img onerror>` in a
 * message is shown as the characters it is.
 */
import { renderIsolated } from './isolated-text';
import { deletedTextOf } from './deleted-text';
import { messageLabel } from './message-label';
import { renderCodeBlock } from './code-block';
import { renderFileCard } from './file-card';
import { renderFileLinks } from './file-link-text';
import { renderReactions } from './reactions';
import { renderSnippetText } from './code-message';
import { Block, Inline, isSafeHref, parseMarkdown } from './markdown';
import type { MessageView } from './protocol';
import { el } from './render-element';

export { el };

export function renderMarkdown(source: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.append(renderBlock(block));
  return fragment;
}

function renderBlock(block: Block): HTMLElement {
  if (block.type === 'codeblock') return renderCodeBlock(block.lang, block.text);
  const p = el('p');
  block.lines.forEach((line, index) => {
    if (index > 0) p.append(el('br'));
    for (const inline of line) p.append(renderInline(inline));
  });
  return p;
}

function renderInline(inline: Inline): Node {
  switch (inline.type) {
    case 'text':
      return renderFileLinks(inline.text);
    case 'code':
      return el('code', undefined, inline.text);
    case 'strong': {
      const strong = el('strong');
      for (const child of inline.children) strong.append(renderInline(child));
      return strong;
    }
    case 'em': {
      const em = el('em');
      for (const child of inline.children) em.append(renderInline(child));
      return em;
    }
    case 'link': {
      if (!isSafeHref(inline.href)) return document.createTextNode(inline.text);
      // VS Code opens http(s) links from a webview in the browser after asking.
      // Link text is isolated and its direction controls shown: it must read as the address it opens.
      const a = el('a');
      a.append(renderIsolated(inline.text));
      a.href = inline.href;
      a.rel = 'noopener noreferrer';
      return a;
    }
  }
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One message row: a header (sender, time; hidden when it continues a group), the body, marks. `me`: this user, for their reactions. */
export function renderMessage(message: MessageView, me?: string): HTMLElement {
  if (message.system) return renderSystemLine(message);
  const row = el('article', 'message');
  row.dataset.key = messageKey(message);
  row.setAttribute('aria-label', messageLabel(message, TIME.format(message.ts)));
  row.classList.toggle('mine', message.mine);
  row.classList.toggle(message.delivery, true);

  const header = el('header', 'message-header');
  const sender = el('span', 'sender');
  sender.append(renderIsolated(message.from));
  if (message.mine) sender.append(' (you)');
  header.append(sender);
  const time = el('time', 'time', TIME.format(message.ts));
  time.dateTime = new Date(message.ts).toISOString();
  time.title = DATE_TIME.format(message.ts);
  header.append(time);
  row.append(header);

  const body = el('div', 'message-body');
  if (message.replyTo) body.append(renderReplyQuote(message.replyTo));
  if (message.deleted) body.append(el('p', 'deleted', deletedTextOf(message.deleted, message.from)));
  else if (message.file) body.append(renderFileCard(message.file));
  else if (message.text !== undefined) body.append(renderSnippetText(message.text, renderMarkdown) ?? renderMarkdown(message.text));
  else body.append(el('p', 'problem', message.problem ?? 'This message cannot be shown.'));
  row.append(body);

  const marks = el('div', 'marks');
  // A deleted message has no content left to protect or expose: no encryption mark.
  if (message.deleted === undefined) marks.append(encryptionMark(message.encrypted));
  if (message.plain) {
    const plain = el('span', 'mark plain', 'unverified sender');
    plain.title = 'Sent from a plain-text client: the server cannot prove who sent it.';
    marks.append(plain);
  }
  if (message.edited && !message.deleted) marks.append(el('span', 'mark edited', 'edited'));
  if (message.mentionsMe) row.classList.add('mentions-me');
  if (message.delivery === 'pending') marks.append(el('span', 'mark delivery', 'sending…'));
  if (message.delivery === 'waiting') {
    const waiting = el('span', 'mark delivery', `waiting for ${message.waitingFor ?? 'them'} to join`);
    waiting.title = 'Nobody has this name yet. The message is encrypted and sent when they first log in (dropped after 7 days).';
    marks.append(waiting);
  }
  if (message.delivery === 'failed') marks.append(el('span', 'mark error', message.error ?? 'Not sent.'));
  row.append(marks);
  if (message.reactions && !message.deleted) row.append(renderReactions(message.reactions, me));
  return row;
}

/** The quoted line above a reply: who it answers and the start of what they said. Text only; a button that shows the original. */
function renderReplyQuote(reply: NonNullable<MessageView['replyTo']>): HTMLElement {
  const quote = el('button', 'reply-quote');
  quote.type = 'button';
  quote.dataset.seq = String(reply.seq);
  quote.title = 'Show the original message';
  quote.append('↪ ');
  if (reply.from) quote.append(renderIsolated(reply.from), ': ');
  quote.append(reply.snippet ?? 'an earlier message');
  return quote;
}

/** A membership or moderation change, centred: "alice added bob · 09:01". Text only, never markdown. */
function renderSystemLine(message: MessageView): HTMLElement {
  const row = el('div', 'message system');
  row.dataset.key = messageKey(message);
  row.setAttribute('role', 'note');
  row.append(el('span', 'system-text', message.text ?? message.problem ?? 'The room changed.'));
  const time = el('time', 'time', TIME.format(message.ts));
  time.dateTime = new Date(message.ts).toISOString();
  time.title = DATE_TIME.format(message.ts);
  row.append(time);
  return row;
}

export function messageKey(message: Pick<MessageView, 'from' | 'id'>): string {
  return `${message.from}/${message.id}`;
}

function encryptionMark(encrypted: boolean): HTMLElement {
  if (encrypted) {
    const lock = el('span', 'mark lock', '🔒 encrypted');
    lock.title = 'End-to-end encrypted: only you and the other person can read it.';
    return lock;
  }
  const open = el('span', 'mark server-readable', 'server can read this');
  open.title = 'Not end-to-end encrypted: whoever runs the server can read this message.';
  return open;
}
