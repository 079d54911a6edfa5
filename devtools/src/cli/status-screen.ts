// What `voicefleet dev` shows: log lines that scroll (start-up, reloads, problems) and below them
// the live status table. In a terminal the table is redrawn in place (log-update) and each new log
// line is printed above it, so nothing printed before is wiped; piped to a file, each line is
// written once and the table again only when it changed.
import { createLogUpdate } from 'log-update';

export interface ScreenStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export class StatusScreen {
  private readonly live: ReturnType<typeof createLogUpdate> | undefined;
  private table = '';

  constructor(private readonly out: ScreenStream & NodeJS.WritableStream) {
    this.live = out.isTTY === true ? createLogUpdate(out, { showCursor: true }) : undefined;
  }

  /** A line that stays: printed above the table. */
  log(line: string): void {
    if (this.live === undefined) {
      this.out.write(`${line}\n`);
      return;
    }
    this.live.clear();
    this.out.write(`${line}\n`);
    if (this.table !== '') this.live(this.table);
  }

  /** Replaces the table. */
  show(lines: readonly string[]): void {
    const text = lines.join('\n');
    if (text === this.table) return;
    this.table = text;
    if (this.live !== undefined) this.live(text);
    else this.out.write(`\n${text}\n`);
  }

  /** Leaves the last table where it is; what follows prints below it. */
  done(): void {
    this.live?.done();
    this.table = '';
  }
}
