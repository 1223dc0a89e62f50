/**
 * Where `transcripts export` and `transcripts relay export` put what they export: standard
 * output, or a new file that only its owner may read (a copy of their conversations), never
 * overwriting one that exists.
 */
import { writeFile } from 'node:fs/promises';

export async function writeExport(
  data: unknown,
  out: string | undefined,
  json: boolean,
  stdout: (text: string) => void,
): Promise<void> {
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (out === undefined) {
    stdout(text);
    return;
  }
  await writeFile(out, text, { mode: 0o600, flag: 'wx' });
  stdout(json ? `${JSON.stringify({ exported: out })}\n` : `Exported to ${out}.\n`);
}
