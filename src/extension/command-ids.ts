/**
 * Every command the extension contributes, by id. package.json declares the same set;
 * test/extension/commands.test.ts checks both ways, and `CommandHandlers` makes the compiler
 * demand a handler for each one.
 */
export const COMMANDS = {
  connect: 'classchat.connect',
  disconnect: 'classchat.disconnect',
  startLocalServer: 'classchat.startLocalServer',
  stopLocalServer: 'classchat.stopLocalServer',
  copyServerAddress: 'classchat.copyServerAddress',
  messageClassmate: 'classchat.messageClassmate',
  openChat: 'classchat.openChat',
  openConversation: 'classchat.openConversation',
  verifyKey: 'classchat.verifyKey',
  sendFile: 'classchat.sendFile',
  createRoom: 'classchat.createRoom',
  joinRoom: 'classchat.joinRoom',
  leaveRoom: 'classchat.leaveRoom',
  addToRoom: 'classchat.addToRoom',
  removeFromRoom: 'classchat.removeFromRoom',
  roomMembers: 'classchat.roomMembers',
  moderate: 'classchat.moderate',
  shareSelection: 'classchat.shareSelection',
  askAboutProblem: 'classchat.askAboutProblem',
  muteConversation: 'classchat.muteConversation',
  unmuteConversation: 'classchat.unmuteConversation',
  doNotDisturb: 'classchat.doNotDisturb',
  searchMessages: 'classchat.searchMessages',
  blockClassmate: 'classchat.blockClassmate',
  unblockClassmate: 'classchat.unblockClassmate',
} as const;

export type CommandKey = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandKey];

/** One handler per command: a missing one is a compile error, not a silent no-op. */
export type CommandHandlers = { [K in CommandKey]: (...args: unknown[]) => unknown };

/** View ids, as in package.json `contributes.views`. */
export const VIEWS = {
  container: 'classchat',
  chat: 'classchat.chat',
  classmates: 'classchat.classmates',
} as const;

/** Context keys used in `when` clauses. */
export const CONTEXT_KEYS = {
  /** 'disconnected' | 'connecting' | 'connected' | 'reconnecting' */
  state: 'classchat.state',
  serverRunning: 'classchat.serverRunning',
  /** true while do-not-disturb is on. */
  doNotDisturb: 'classchat.doNotDisturb',
} as const;
