import type { MessageView } from './protocol';

/** "Message deleted", or who removed it when it was not its sender (only a teacher or TA can). */
export function deletedTextOf(deleted: NonNullable<MessageView['deleted']>, from: string): string {
  if (deleted.by === from) return 'Message deleted';
  if (deleted.role === 'teacher') return `Removed by the teacher (${deleted.by})`;
  if (deleted.role === 'ta') return `Removed by a TA (${deleted.by})`;
  return `Message deleted by ${deleted.by}`;
}
