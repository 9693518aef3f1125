/**
 * How files are described to a person: sizes ("2.1 MB") and a file card's status line. Pure, no
 * DOM and no Node: used by the webview's file cards and by the extension's notifications.
 */
import type { FileCardView } from './protocol';

const UNITS = ['KB', 'MB', 'GB', 'TB'];

/** "0 bytes", "1 byte", "900 bytes", "1.5 KB", "2.1 MB", "150 MB" (units of 1024, like VS Code). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? bytes';
  if (bytes < 1024) return `${Math.round(bytes)} ${Math.round(bytes) === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < UNITS.length - 1);
  // One decimal below 100 ("2.1 MB"), none above ("150 MB"); never "2.0".
  const shown = value >= 99.95 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${UNITS[unit]}`;
}

/** Whole percent done, 0-100 (an empty file is 100% once it starts). */
export function percentOf(bytes: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((bytes / total) * 100)));
}

/** The notification for an offer: "bob sent you report.pdf (2.1 MB)". */
export function offerText(from: string, name: string, size: number): string {
  return `${from} sent you ${name} (${formatBytes(size)})`;
}

/** The card's status line, e.g. "receiving 45%", "waiting for bob", "failed: disk full". */
export function cardStatus(card: FileCardView): string {
  switch (card.state) {
    case 'offered':
      return card.direction === 'incoming' ? 'offered to you' : `waiting for ${card.peer} to accept`;
    case 'sending':
      return `sending ${card.percent ?? 0}%`;
    case 'receiving':
      return `receiving ${card.percent ?? 0}%`;
    case 'done':
      return card.direction === 'incoming' ? 'saved' : `delivered to ${card.peer}`;
    case 'declined':
      return card.direction === 'incoming' ? 'declined' : `declined by ${card.peer}`;
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return card.reason ? `failed: ${card.reason}` : 'failed';
  }
}
