/** Where a command of `printo-help` writes, and what the terminal can show. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colour and other niceties only on an interactive terminal. */
  readonly color: boolean;
  /** Standard error is a terminal: live progress may be drawn there. */
  readonly progress?: boolean;
  /** Width of the terminal tables are drawn for; unlimited when undefined (a pipe, a file). */
  readonly columns?: number;
  /** Width of standard error when it is a terminal (the progress line). */
  readonly stderrColumns?: number;
}
