/** A seed-style plain-text client: raw bytes out, text in, waits on substrings. */
import { connect, Socket } from 'node:net';

export class PlainClient {
  text = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.text += data;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<PlainClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new PlainClient(socket);
  }

  /** Sends exactly these bytes (the seed's clients send no newline). */
  write(data: string): void {
    this.socket.write(data);
  }

  /** Waits until the received text, after `from` characters, contains `needle`; returns its end index. */
  async waitForText(needle: string, from = 0, timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.text.indexOf(needle, from);
      if (at !== -1) return at + needle.length;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`no "${needle}" in ${JSON.stringify(this.text.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
