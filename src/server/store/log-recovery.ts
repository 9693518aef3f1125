/**
 * Replays a log file's bytes into a LogIndex after a restart or crash. Bad lines never stop the
 * store: bad lines after the last good record are a torn tail (a write cut short) and are cut
 * off; a bad line between good records is skipped and reported with its line number.
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

export function replayLog(data: Buffer, index: LogIndex, log: (message: string) => void, fileName: string): ReplayResult {
  let records = 0;
  let droppedCorrupt = 0;
  let validLength = 0;
  let lineNumber = 0;
  let suspect: Array<{ lineNumber: number; reason: string }> = [];
  let position = 0;
  while (position < data.length) {
    lineNumber++;
    const newline = data.indexOf(0x0a, position);
    if (newline === -1) {
      suspect.push({ lineNumber, reason: 'no newline (write cut short)' });
      break;
    }
    const decoded = decodeRecord(data.subarray(position, newline));
    const reason = decoded.ok ? index.apply(decoded.record) : decoded.reason;
    if (reason === undefined) {
      // The bad lines seen so far were followed by a good record: they are corrupt, not torn.
      for (const bad of suspect) log(`${fileName} line ${bad.lineNumber}: skipped a bad record (${bad.reason})`);
      droppedCorrupt += suspect.length;
      suspect = [];
      records++;
      validLength = newline + 1;
    } else {
      suspect.push({ lineNumber, reason });
    }
    position = newline + 1;
  }
  const droppedTornTail = suspect.length > 0;
  if (droppedTornTail) {
    const first = suspect[0];
    log(`${fileName}: cut off ${data.length - validLength} bytes at the end from line ${first.lineNumber} (${first.reason})`);
  }
  if (droppedTornTail || droppedCorrupt > 0) {
    log(`${fileName}: recovered, kept ${records} records, dropped ${droppedCorrupt + suspect.length}`);
  }
  return { records, droppedTornTail, droppedCorrupt, validLength };
}
