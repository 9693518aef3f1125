/**
 * A well-behaved pair of users chatting through the server while the hostile cases run: one
 * private message every 100 ms (under the default rate limit), each checked to be acknowledged
 * and delivered exactly once. They connect from 127.0.0.2, so floods from 127.0.0.1 do not
 * count against their address.
 */
import { RawClient } from '../../helpers/raw-client';

const STEADY_ADDRESS = '127.0.0.2';

export interface SteadyReport {
  sent: number;
  acknowledged: number;
  delivered: number;
  duplicates: number;
  errors: string[];
  maxLatencyMs: number;
}

export class SteadyChat {
  private sequence = 0;
  private readonly sentAt = new Map<string, number>();
  private readonly acked = new Set<string>();
  private readonly delivered = new Map<string, number>();
  private readonly errors: string[] = [];
  private maxLatencyMs = 0;
  /** Worst latency since the last assertHealthy. */
  private windowLatencyMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    private readonly sender: RawClient,
    private readonly reader: RawClient,
    private readonly readerName: string,
  ) {
    sender.socket.on('data', () => {
      for (const frame of sender.frames.splice(0)) {
        if (frame.type === 'sent') this.acked.add(frame.id);
        else if (frame.type === 'error') this.errors.push(`sender got ${frame.code}: ${frame.message}`);
      }
    });
    reader.socket.on('data', () => {
      let lastSeq = 0;
      for (const frame of reader.frames.splice(0)) {
        if (frame.type === 'error') this.errors.push(`reader got ${frame.code}: ${frame.message}`);
        if (frame.type !== 'msg') continue;
        lastSeq = frame.seq;
        const sentAt = this.sentAt.get(frame.id);
        if (sentAt === undefined) continue;
        this.delivered.set(frame.id, (this.delivered.get(frame.id) ?? 0) + 1);
        this.maxLatencyMs = Math.max(this.maxLatencyMs, Date.now() - sentAt);
        this.windowLatencyMs = Math.max(this.windowLatencyMs, Date.now() - sentAt);
      }
      if (lastSeq > 0) reader.send({ type: 'ack', seq: lastSeq });
    });
    for (const client of [sender, reader]) client.socket.on('close', () => this.closing || this.errors.push('a steady connection closed'));
  }

  static async start(port: number): Promise<SteadyChat> {
    const sender = await RawClient.open(port, true, STEADY_ADDRESS);
    await sender.loginAs('steady_a');
    const reader = await RawClient.open(port, true, STEADY_ADDRESS);
    await reader.loginAs('steady_b');
    await reader.next('synced');
    const chat = new SteadyChat(sender, reader, 'steady_b');
    chat.timer = setInterval(() => chat.sendOne(), 100);
    return chat;
  }

  private sendOne(): void {
    const id = `steady${++this.sequence}`;
    this.sentAt.set(id, Date.now());
    this.sender.send({ type: 'send', id, to: this.readerName, text: `tick ${this.sequence}` });
  }

  report(): SteadyReport {
    let duplicates = 0;
    for (const count of this.delivered.values()) if (count > 1) duplicates++;
    return {
      sent: this.sentAt.size,
      acknowledged: this.acked.size,
      delivered: this.delivered.size,
      duplicates,
      errors: [...this.errors],
      maxLatencyMs: this.maxLatencyMs,
    };
  }

  /**
   * Throws unless every message sent more than `graceMs` ago was acknowledged and delivered
   * exactly once, within `maxLatencyMs` (generous: 2 cores are shared with the hostile clients),
   * with no error and no dropped connection.
   */
  assertHealthy(what: string, graceMs = 3000, maxLatencyMs = 2500): void {
    const cutoff = Date.now() - graceMs;
    const late = [...this.sentAt].filter(([id, at]) => at < cutoff && (!this.acked.has(id) || !this.delivered.has(id))).map(([id]) => id);
    const report = this.report();
    const problems = [
      ...report.errors,
      ...(late.length > 0 ? [`${late.length} messages older than ${graceMs} ms not acknowledged or not delivered (${late.slice(0, 5).join(', ')})`] : []),
      ...(report.duplicates > 0 ? [`${report.duplicates} delivered twice`] : []),
      ...(this.windowLatencyMs > maxLatencyMs ? [`a message took ${this.windowLatencyMs} ms`] : []),
    ];
    this.windowLatencyMs = 0;
    if (problems.length > 0) throw new Error(`the steady chat failed during ${what}: ${problems.join('; ')}`);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.closing = true;
    this.sender.close();
    this.reader.close();
  }
}
