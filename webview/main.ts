/**
 * The chat webview: conversation chips with unread badges, the message list (drawn row by row
 * as messages arrive, older pages on top), and the composer. It knows nothing of sockets or keys:
 * it renders what the host sends and posts what the user does.
 */
import { codeActionOf } from './code-card';
import { ComposerModeBar } from './composer-mode';
import { Drafts, savedDrafts } from './drafts';
import { fileActionOf } from './file-card';
import { attachFileDrop } from './file-drop';
import { continuesGroup } from './grouping';
import type { HostMessage, MessageView } from './protocol';
import { EVERYONE_ID } from './protocol';
import { mentionCandidates, MentionComplete } from './mention-complete';
import { MessageActions } from './message-actions';
import { ReadingAids } from './reading-aids';
import { el, messageKey, renderMessage } from './render';
import { renderChips, renderKeyBar } from './conversation-bar';
import { MessageRevealer } from './scroll-to-message';
import { SearchBox } from './search-box';
import { activeSummary, apply, composerBlocked, initialState, Patch, PersistedState, ViewState } from './view-state';
import { vscodeApi } from './vscode-api';

const vscode = vscodeApi();
const persisted = restore(vscode.getState());
const drafts = new Drafts(persisted?.drafts);
const state: ViewState = initialState(persisted);

// ---- the page skeleton ----

const app = document.getElementById('app') ?? document.body;
const statusLine = el('div', 'status-line');
statusLine.setAttribute('role', 'status');
const connectButton = el('button', 'connect', 'Connect');
connectButton.type = 'button';
const statusText = el('span', 'status-text');
statusLine.append(statusText, connectButton);

const chips = el('nav', 'conversations');
chips.setAttribute('aria-label', 'Conversations');

const keyBar = el('div', 'key-bar');
keyBar.setAttribute('role', 'note');

const list = el('section', 'messages');
list.setAttribute('aria-label', 'Messages');
// Not a tab stop itself: one of its messages is (message-actions.ts).
list.tabIndex = -1;
const olderButton = el('button', 'older', 'Load earlier messages');
olderButton.type = 'button';
const rows = el('div', 'rows');
const empty = el('p', 'empty');

const notice = el('div', 'notice');
notice.setAttribute('role', 'alert');

const composer = el('form', 'composer');
const input = el('textarea', 'input');
input.rows = 2;
input.setAttribute('aria-label', 'Message');
const blockedReason = el('p', 'blocked-reason');
const sendButton = el('button', 'send', 'Send');
sendButton.type = 'submit';
const hint = el('p', 'hint', 'Enter to send · Shift+Enter for a new line');

const actions = new MessageActions({
  rows,
  messageOf: (key) => state.messages.find((m) => messageKey(m) === key),
  moderate: () => activeSummary(state)?.moderate === true,
  conversation: () => state.active,
  reply: (message) => composerMode.reply(message),
  edit: (message) => composerMode.edit(message),
  post: (message) => vscode.postMessage(message),
  focusComposer: () => input.focus(),
});
const aids = new ReadingAids({ list, rows, keyOf: messageKey, focusMessage: (key) => actions.focusMessage(key), now: Date.now });
// Leaving a reply or an edit: back to the message it was about.
const composerMode = new ComposerModeBar(input, (mode) => {
  if (!actions.focusMessage(messageKey(mode.message))) input.focus();
  drafts.set(state.active, input.value);
  save();
});
const mentions = new MentionComplete(input, () => mentionCandidates(state));
list.append(olderButton, rows, empty, aids.jumpButton, aids.announcer);
composer.append(composerMode.element, input, sendButton, mentions.listbox, blockedReason, hint);

const searchBox = new SearchBox({
  search: (query) => vscode.postMessage({ type: 'search', query }),
  choose: (hit) => revealer.reveal(hit.conversation, hit.seq),
});
const revealer = new MessageRevealer({
  state: () => state,
  rows,
  open: (conversation) => openConversation(conversation),
  loadOlder: (conversation) => vscode.postMessage({ type: 'loadOlder', conversation }),
  missing: (text) => showLocalNotice(text),
});

app.append(statusLine, searchBox.element, chips, keyBar, list, notice, composer);

// ---- user intents ----

connectButton.addEventListener('click', () => vscode.postMessage({ type: 'connect' }));
// File card buttons (Save…, Decline, Cancel): one listener for all rows, drawn or redrawn.
rows.addEventListener('click', (event) => {
  // Code cards, code blocks and path:line links (code-card.ts); the host checks each request.
  const codeAction = codeActionOf(event.target);
  if (codeAction) return vscode.postMessage(codeAction);
  const action = fileActionOf(event.target);
  if (!action) return;
  // Until the host answers with the card's new state, a second click would repeat the request.
  for (const b of Array.from((event.target as Element).closest('.file-card')?.querySelectorAll('button') ?? [])) b.disabled = true;
  vscode.postMessage(action);
});
rows.addEventListener('click', (event) => {
  const quote = event.target instanceof Element ? event.target.closest<HTMLElement>('.reply-quote') : null;
  const seq = Number(quote?.dataset.seq);
  if (quote && Number.isSafeInteger(seq)) revealer.reveal(state.active, seq);
});
olderButton.addEventListener('click', () => {
  olderButton.disabled = true;
  vscode.postMessage({ type: 'loadOlder', conversation: state.active });
});
input.addEventListener('keydown', (event) => {
  if (mentions.onKeydown(event) || composerMode.onKeydown(event)) return;
  // isComposing: Enter that confirms an IME composition must not send.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});
input.addEventListener('input', () => {
  mentions.update();
  // An edit's text is not a draft.
  if (composerMode.mode?.kind === 'edit') return;
  drafts.set(state.active, input.value);
  save();
});
input.addEventListener('click', () => mentions.update());
// A pasted or dropped file goes to the host, which checks it and sends it (file-drop.ts).
attachFileDrop(composer, {
  conversation: () => state.active,
  blocked: () => composerBlocked(state),
  post: (message) => vscode.postMessage(message),
  notice: (text) => showLocalNotice(text),
});
composer.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});

function submit(): void {
  if (composerBlocked(state) !== undefined) return;
  const text = input.value;
  if (text.trim() === '') return;
  const mode = composerMode.mode;
  const seq = mode?.message.seq;
  if (mode?.kind === 'edit' && seq !== undefined) {
    if (text !== mode.message.text) vscode.postMessage({ type: 'edit', conversation: state.active, seq, text });
    // The draft from before the edit comes back.
    composerMode.leave(false);
    return;
  }
  vscode.postMessage({ type: 'send', conversation: state.active, text, ...(mode?.kind === 'reply' && seq !== undefined && { replyTo: seq }) });
  composerMode.leave(false);
  input.value = '';
  drafts.set(state.active, '');
  save();
}

function openConversation(id: string): void {
  if (id === state.active) return;
  composerMode.leave(false);
  drafts.set(state.active, input.value);
  vscode.postMessage({ type: 'open', conversation: id });
}

// ---- drawing ----

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  const wasAtBottom = atBottom();
  const previousHeight = list.scrollHeight;
  const previousActive = state.active;
  const switched = message.type === 'snapshot' && message.active !== previousActive;
  // Read before the snapshot: the host has marked the conversation read by the time it sends it.
  const unread = message.type === 'snapshot' ? (state.conversations.find((c) => c.id === message.active)?.unread ?? 0) : 0;
  const fresh = message.type === 'upsert' && message.conversation === state.active && !state.messages.some((m) => m.id === message.message.id && m.from === message.message.from);
  if (switched) {
    aids.leaving(previousActive, wasAtBottom);
    composerMode.leave(false);
  }
  const patch = apply(state, message);
  draw(patch, wasAtBottom, previousHeight, { switched: switched || firstSnapshot, unread, fresh });
  if (patch.kind === 'all') firstSnapshot = false;
});
let firstSnapshot = true;

function draw(patch: Patch, wasAtBottom: boolean, previousHeight: number, how: { switched: boolean; unread: number; fresh: boolean }): void {
  switch (patch.kind) {
    case 'all':
      drawStatus();
      drawChips();
      drawKeyBar();
      drawAllMessages();
      drawComposer(how.switched);
      if (how.switched) aids.opened(state.active, state.messages, how.unread);
      else if (wasAtBottom) list.scrollTop = list.scrollHeight;
      save();
      revealer.redrawn('all');
      return;
    case 'connection':
      drawStatus();
      drawComposer(false);
      return;
    case 'conversations':
      drawChips();
      drawKeyBar();
      drawComposer(false);
      return;
    case 'older':
      rows.prepend(...state.messages.slice(0, patch.count).map((m) => renderMessage(m, state.connection.me)));
      refreshGroups();
      drawOlderButton();
      // Keep what the user was looking at in place.
      list.scrollTop += list.scrollHeight - previousHeight;
      revealer.redrawn('older');
      return;
    case 'message': {
      const message = state.messages[patch.index];
      // Before drawing: a new line it starts is drawn with it.
      if (how.fresh && message) aids.arrived(message, wasAtBottom);
      drawMessage(patch.index);
      if (wasAtBottom || (message?.mine && how.fresh)) list.scrollTop = list.scrollHeight;
      return;
    }
    case 'notice':
      drawNotice();
      return;
    case 'search':
      searchBox.showResults(patch.query, patch.hits);
      return;
    case 'reveal':
      revealer.reveal(patch.conversation, patch.seq);
      return;
    case 'none':
      return;
  }
}

function drawStatus(): void {
  const c = state.connection;
  const texts = {
    connected: `Connected as ${c.me ?? '?'} · ${c.online} online`,
    connecting: `Connecting${c.server ? ` to ${c.server}` : ''}…`,
    reconnecting: `Reconnecting${c.detail ? ` (${c.detail})` : ''}… Messages you send now go out once connected.`,
    disconnected: `Not connected${c.detail ? ` (${c.detail})` : ''}.`,
  };
  statusText.textContent = texts[c.status];
  statusLine.dataset.status = c.status;
  connectButton.hidden = c.status !== 'disconnected';
}

function drawChips(): void {
  chips.replaceChildren(...renderChips(state.conversations, state.active, openConversation));
}

/** What the open conversation's encryption is worth, with the actions for a key that changed. */
function drawKeyBar(): void {
  const summary = activeSummary(state);
  keyBar.dataset.key = summary?.id.startsWith('#') ? 'room' : (summary?.key ?? 'everyone');
  keyBar.replaceChildren(...renderKeyBar(summary, (message) => vscode.postMessage(message)));
}

function drawAllMessages(): void {
  rows.replaceChildren(...state.messages.map((m) => renderMessage(m, state.connection.me)));
  refreshGroups();
  drawOlderButton();
}

function drawMessage(index: number): void {
  const message = state.messages[index];
  if (!message) return;
  const key = messageKey(message);
  rows.querySelector(`[data-key="${CSS.escape(key)}"]`)?.remove();
  const next = state.messages[index + 1];
  const nextRow = next ? rows.querySelector(`[data-key="${CSS.escape(messageKey(next))}"]`) : null;
  rows.insertBefore(renderMessage(message, state.connection.me), nextRow);
  refreshGroups();
}

/** Hides the header of a row that continues the previous sender's group (class toggles only). */
function refreshGroups(): void {
  let previous: MessageView | undefined;
  const byKey = new Map(state.messages.map((m) => [messageKey(m), m]));
  for (const row of Array.from(rows.children)) {
    if (!(row instanceof HTMLElement)) continue;
    const message = byKey.get(row.dataset.key ?? '');
    if (!message) continue;
    row.classList.toggle('continued', continuesGroup(previous, message));
    previous = message;
  }
  aids.draw(state.messages);
  actions.rowsChanged();
  empty.hidden = state.messages.length > 0;
  empty.textContent = state.active === EVERYONE_ID ? 'No messages to everyone yet. Say hello!' : state.active.startsWith('#') ? `No messages in ${state.active} yet.` : `No messages with ${state.active} yet.`;
}

function drawOlderButton(): void {
  olderButton.hidden = !state.more;
  olderButton.disabled = false;
}

function drawComposer(conversationChanged: boolean): void {
  const blocked = composerBlocked(state);
  input.disabled = blocked !== undefined;
  sendButton.disabled = blocked !== undefined;
  blockedReason.textContent = blocked ?? '';
  blockedReason.hidden = blocked === undefined;
  hint.hidden = blocked !== undefined;
  const summary = activeSummary(state);
  input.placeholder = summary && blocked === undefined ? (summary.id === EVERYONE_ID ? 'Message everyone' : `Message ${summary.title}`) : '';
  if (conversationChanged) input.value = drafts.get(state.active);
}

function drawNotice(): void {
  notice.textContent = state.notice?.text ?? '';
  notice.dataset.level = state.notice?.level ?? '';
  notice.hidden = !state.notice;
  if (state.notice?.level === 'error') olderButton.disabled = false;
}

/** A notice from the view itself (the host's notices replace it). */
function showLocalNotice(text: string): void {
  state.notice = { level: 'info', text };
  drawNotice();
}

function atBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 24;
}

function save(): void {
  vscode.setState({ active: state.active, drafts: drafts.saved() });
}

/** The saved state, if it has the shape this version writes. */
function restore(value: unknown): PersistedState | undefined {
  if (typeof value !== 'object' || value === null || !('active' in value) || typeof value.active !== 'string') return undefined;
  return { active: value.active, drafts: savedDrafts('drafts' in value ? value.drafts : undefined) };
}

// Draw what we have, then tell the host we are listening: it answers with a snapshot.
drawStatus();
drawChips();
drawKeyBar();
drawAllMessages();
drawComposer(true);
drawNotice();
vscode.postMessage({ type: 'ready', active: state.active });
