/** A seed-style plain-text client: raw bytes out, text in, waits on substrings. */
import { connect, Socket } from 'node:net';
import { Signal } from './signal';

export class PlainClient {
  text = '';
  closed = false;
  private readonly signal = new Signal();

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.text += data;
      this.signal.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.signal.notify();
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
  async waitForText(needle: string, from = 0, timeoutMs = 10_000): Promise<number> {
    return this.signal.waitFor(() => {
      const at = this.text.indexOf(needle, from);
      return at === -1 ? undefined : at + needle.length;
    }, () => `"${needle}" in ${JSON.stringify(this.text.slice(from))}`, timeoutMs);
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await this.signal.waitFor(() => (this.closed ? true : undefined), () => 'the socket to close', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
