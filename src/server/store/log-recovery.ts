/**
 * Replays a log file's bytes into a LogIndex after a restart or crash. Bad lines never stop the
 * store: bad lines after the last good record are a torn tail (a write cut short) and are cut
 * off; a bad line between good records is skipped. Every drop is logged with its line number,
 * byte range and size, and a summary says how many records and bytes were kept and dropped.
 */
import { decodeRecord } from './log-records';
import type { LogIndex } from './log-index';

export interface Recovery {
  /** Good records replayed. */
  records: number;
  /** Bad lines at the end of the file were cut off. */
  droppedTornTail: boolean;
  /** Bad lines between good records, skipped (they stay in the file until compaction). */
  droppedCorrupt: number;
}

export interface ReplayResult extends Recovery {
  /** Bytes up to and including the last good record's newline: the file is truncated to this. */
  validLength: number;
}

interface BadLine {
  lineNumber: number;
  start: number;
  /** Bytes of the line, its newline included when it has one. */
  length: number;
  reason: string;
}

export function replayLog(data: Buffer, index: LogIndex, log: (message: string) => void, fileName: string): ReplayResult {
  let records = 0;
  let droppedCorrupt = 0;
  let droppedCorruptBytes = 0;
  let validLength = 0;
  let lineNumber = 0;
  let suspect: BadLine[] = [];
  let position = 0;
  while (position < data.length) {
    lineNumber++;
    const newline = data.indexOf(0x0a, position);
    if (newline === -1) {
      suspect.push({ lineNumber, start: position, length: data.length - position, reason: 'no newline (write cut short)' });
      break;
    }
    const decoded = decodeRecord(data.subarray(position, newline));
    const reason = decoded.ok ? index.apply(decoded.record) : decoded.reason;
    if (reason === undefined) {
      // The bad lines seen so far were followed by a good record: they are corrupt, not torn.
      for (const bad of suspect) {
        log(`${fileName} line ${bad.lineNumber} (bytes ${bad.start}-${bad.start + bad.length - 1}, ${bad.length} bytes): skipped a bad record (${bad.reason})`);
        droppedCorruptBytes += bad.length;
      }
      droppedCorrupt += suspect.length;
      suspect = [];
      records++;
      validLength = newline + 1;
    } else {
      suspect.push({ lineNumber, start: position, length: newline + 1 - position, reason });
    }
    position = newline + 1;
  }
  const droppedTornTail = suspect.length > 0;
  const tornBytes = data.length - validLength;
  if (droppedTornTail) {
    const first = suspect[0];
    const lines = suspect.length === 1 ? '1 line' : `${suspect.length} lines`;
    log(`${fileName}: cut off ${tornBytes} bytes (${lines}) at the end, from line ${first.lineNumber} at byte ${first.start} (${first.reason})`);
  }
  if (droppedTornTail || droppedCorrupt > 0) {
    const dropped = droppedCorrupt + suspect.length;
    log(`${fileName}: recovered, kept ${records} records (${validLength - droppedCorruptBytes} bytes), dropped ${dropped} (${droppedCorruptBytes + (droppedTornTail ? tornBytes : 0)} bytes)`);
  }
  return { records, droppedTornTail, droppedCorrupt, validLength };
}
