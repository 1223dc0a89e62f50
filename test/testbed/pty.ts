/**
 * A program on a real pseudo-terminal, driven like a person at a keyboard. util-linux `script`
 * (Debian's bsdutils, an essential package, so on every machine) allocates the pty and runs the
 * command on it: what we write to its standard input arrives as keystrokes, and what the program
 * draws (prompt redraws and escape codes included) comes back on its standard output. No native
 * module is needed, which is why this is not node-pty.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
// CommonJS: the named export is on the default one.
import xterm from '@xterm/headless';

const WAIT_MS = 20_000;

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

export class PtyProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  #raw = '';
  /** Where the next `expect` starts reading (in the plain text). */
  #cursor = 0;
  #waiters = new Set<() => void>();
  readonly #columns: number;
  readonly exited: Promise<number | null>;

  constructor(argv: readonly string[], env: NodeJS.ProcessEnv, columns = 160) {
    this.#columns = columns;
    const command = argv.map(quote).join(' ');
    // -q: no "Script started" lines; -f: flush at once; -e: exit with the child's code;
    // -E never: the pty echoes what the program echoes, nothing more.
    this.#child = spawn(
      'script',
      [
        '-qfe',
        '-E',
        'never',
        '-c',
        `stty cols ${String(columns)} rows 40; exec ${command}`,
        '/dev/null',
      ],
      { env: { ...env, TERM: 'xterm' }, stdio: 'pipe' },
    );
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => {
      this.#raw += chunk;
      for (const waiter of [...this.#waiters]) waiter();
    });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#raw += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => {
      this.#child.on('exit', (code) => {
        resolve(code);
        for (const waiter of [...this.#waiters]) waiter();
      });
    });
  }

  /** Everything shown so far, without escape codes and carriage returns. */
  get text(): string {
    return stripVTControlCharacters(this.#raw).replaceAll('\r', '');
  }

  /**
   * The screen as a person sees it now, rendered by xterm.js's headless terminal (prompt redraws,
   * cursor moves and line erasures applied), the scroll-back included.
   */
  async screen(): Promise<string> {
    const terminal = new xterm.Terminal({
      cols: this.#columns,
      rows: 40,
      scrollback: 1000,
      allowProposedApi: true,
    });
    await new Promise<void>((resolve) => {
      terminal.write(this.#raw.replaceAll('\n', '\r\n').replaceAll('\r\r\n', '\r\n'), resolve);
    });
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    }
    terminal.dispose();
    return lines.join('\n').trimEnd();
  }

  /** Types text (a trailing `\r` is Enter). */
  type(keys: string): void {
    this.#child.stdin.write(keys);
  }

  /** Waits for the screen to show a match after the previous one; returns the match. */
  expect(pattern: RegExp, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const rest = this.text.slice(this.#cursor);
        const match = pattern.exec(rest);
        if (match === null) return false;
        this.#cursor += match.index + match[0].length;
        resolve(match);
        return true;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
        } else if (this.#child.exitCode !== null) {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(
            new Error(
              `exited (${String(this.#child.exitCode)}) without showing ${String(pattern)}; after the last match:\n${this.text.slice(this.#cursor)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `no ${String(pattern)} within ${String(timeoutMs)} ms; after the last match:\n${this.text.slice(this.#cursor)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}
