/** The ClassChat client library (no vscode): used by the CLI and the VS Code extension. */
export { ChatClient } from './chat-client';
export type { ChatClientEvents, ChatClientOptions, ClientState, ClientStateName, DecryptError, HistoryPage, MessageTrust, QueuedMessage, ReceivedMessage, RosterEntry, SendOptions } from './types';
export type { KeyTrust } from './trust-book';
export { FileTrustStore, MemoryTrustStore, TrustFileError, trustPathFor } from './trust-store';
export type { Pin, TrustStore } from './trust-store';
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
export type { ClientTlsOptions } from './tls';
