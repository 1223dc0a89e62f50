import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/ipp/', import.meta.url));

/** Responses captured from the real cupsd and ippeveprinter (test/fixtures/ipp/README.md). */
export function loadCorpus(): { name: string; bytes: Uint8Array }[] {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.bin'))
    .sort();
  if (files.length === 0) throw new Error(`No captured IPP responses in ${DIR}`);
  return files.map((name) => ({ name, bytes: new Uint8Array(readFileSync(`${DIR}${name}`)) }));
}
