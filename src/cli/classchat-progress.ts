/** How the terminal client shows file sizes and transfer progress (pure; no I/O). */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** "512 B", "2.1 MiB", "14 GiB": one decimal below 10 of a unit, none above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? value.toFixed(1) : String(Math.round(value));
  // Rounding 1023.7 up would read "1024 KiB"; step to the next unit instead.
  if (shown === '1024' && unit < UNITS.length - 1) return `1.0 ${UNITS[unit + 1]}`;
  return `${shown} ${UNITS[unit]}`;
}

/** Whole percent done, never 100 before the last byte (0 bytes of 0 is done). */
export function percentDone(bytes: number, total: number): number {
  if (total <= 0) return 100;
  if (bytes >= total) return 100;
  return Math.min(99, Math.floor((bytes / total) * 100));
}

export interface ProgressView {
  /** "sending report.pdf to bob", "receiving report.pdf from bob". */
  label: string;
  bytes: number;
  total: number;
  /** Bytes per second. */
  rate: number;
}

/** "sending report.pdf to bob  42%  1.2 MiB of 2.9 MiB  3.4 MiB/s". */
export function formatProgress(view: ProgressView): string {
  const mibPerSecond = (view.rate / (1024 * 1024)).toFixed(1);
  const percent = String(percentDone(view.bytes, view.total)).padStart(3);
  return `${view.label} ${percent}%  ${formatBytes(view.bytes)} of ${formatBytes(view.total)}  ${mibPerSecond} MiB/s`;
}

/**
 * Decides which progress updates are worth showing: on a terminal that redraws its line, at most
 * one per `intervalMs` (and always the last); otherwise one line each time a new tenth is reached,
 * so logs and pipes get at most eleven lines per file.
 */
export class ProgressThrottle {
  private lastTenth = -1;
  private lastAt = -Infinity;

  constructor(
    private readonly redraws: boolean,
    private readonly now: () => number,
    private readonly intervalMs = 100,
  ) {}

  /** True when this update should be shown. */
  shouldShow(bytes: number, total: number): boolean {
    const finished = total <= 0 || bytes >= total;
    if (this.redraws) {
      const at = this.now();
      if (!finished && at - this.lastAt < this.intervalMs) return false;
      this.lastAt = at;
      return true;
    }
    const tenth = Math.floor(percentDone(bytes, total) / 10);
    if (tenth <= this.lastTenth) return false;
    this.lastTenth = tenth;
    return true;
  }
}
