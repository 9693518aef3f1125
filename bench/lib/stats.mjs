/** Latency samples and medians. */

/** Keeps up to `capacity` samples (reservoir sampling beyond that) in milliseconds. */
export class LatencyRecorder {
  constructor(capacity) {
    this.samples = new Float32Array(Math.max(1, capacity));
    this.count = 0;
    this.seen = 0;
    this.max = 0;
  }

  add(ms) {
    this.seen++;
    if (ms > this.max) this.max = ms;
    if (this.count < this.samples.length) this.samples[this.count++] = ms;
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < this.samples.length) this.samples[slot] = ms;
    }
  }

  summary() {
    if (this.count === 0) return { p50Ms: null, p99Ms: null, maxMs: null };
    const sorted = this.samples.subarray(0, this.count).sort();
    const at = (q) => round2(sorted[Math.min(this.count - 1, Math.floor(q * this.count))]);
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round2(this.max) };
  }
}

function round2(value) {
  return Math.round(value * 100) / 100;
}

/** Median of the numeric values (null when none). */
export function median(values) {
  const numbers = values.filter((value) => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (numbers.length === 0) return null;
  const mid = Math.floor(numbers.length / 2);
  return numbers.length % 2 ? numbers[mid] : (numbers[mid - 1] + numbers[mid]) / 2;
}
