/** Prints whole lines above the interactive client's prompt without garbling what the user is typing. */
import { clearLine, cursorTo, Interface } from 'node:readline';
import { terminalText } from './classchat-format';

const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
const BELL = '\x07';

export class Printer {
  private rl: Interface | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly inputIsTerminal = process.stdin.isTTY === true,
  ) {}

  get interactive(): boolean {
    return this.out.isTTY === true && this.inputIsTerminal;
  }

  attach(rl: Interface | undefined): void {
    this.rl = rl;
  }

  /**
   * Fields were made printable where the line was built; terminalText is the last guard against escapes.
   * `alert` (a message that mentions you): bold and a bell, on a terminal only; the line itself says so too.
   */
  print(text: string, alert = false): void {
    const safe = terminalText(text);
    const line = (alert && this.interactive ? `${BOLD}${safe}${RESET}${BELL}` : safe) + '\n';
    if (this.rl && this.interactive) {
      clearLine(this.out, 0);
      cursorTo(this.out, 0);
      this.out.write(line);
      this.rl.prompt(true);
    } else this.out.write(line);
  }
}
