/**
 * Reading a password without it ever touching argv (visible in `ps` and shell history): from the
 * terminal with echo off, or from standard input for scripts (`--password-stdin`).
 */
import type { Readable } from 'node:stream';

/** Everything on a stream, minus one trailing newline (`echo pw | …` and `printf pw | …` agree). */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

interface RawInput extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * Asks for a line on a terminal without echoing it. Ctrl-C aborts (rejects); Backspace works;
 * the terminal is always put back in cooked mode.
 */
export function promptHidden(
  question: string,
  input: RawInput,
  output: { write(text: string): unknown },
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (input.isTTY !== true || input.setRawMode === undefined) {
      reject(new Error('standard input is not a terminal'));
      return;
    }
    const setRawMode = input.setRawMode.bind(input);
    let value = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      setRawMode(false);
      input.pause();
      output.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          return;
        }
        if (char === '\u0003') {
          finish(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b')
          value = value.slice(0, /[\uDC00-\uDFFF]$/.test(value) ? -2 : -1);
        else if (char >= ' ') value += char;
      }
    };
    output.write(question);
    setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
