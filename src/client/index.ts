/** The ClassChat client library (no vscode): used by the CLI and the VS Code extension. */
export { ChatClient } from './chat-client';
export type { ChatClientEvents, ChatClientOptions, ClientState, ClientStateName, HistoryPage, QueuedMessage, RosterEntry } from './types';
export { Backoff } from './backoff';
export type { BackoffOptions } from './backoff';
export { systemClock } from './clock';
export type { Clock, Timer } from './clock';
export { ChatClientError } from './errors';
export type { ClientErrorCode } from './errors';
export { defaultKeyPath, FileKeyStore, KeyFileError, loadOrCreateIdentity, MemoryKeyStore } from './key-store';
export type { KeyStore } from './key-store';
export type { SentInfo, OutboxPayload } from './outbox';
export { DEFAULT_OUTBOX_CAPACITY } from './outbox';
export type { KeepAliveOptions } from './keep-alive';
export { ClassChatError } from '../protocol/errors';
