/**
 * Writes docs/printo-support.v1.schema.json from the protocol's zod schemas
 * (src-shared/protocol/json-schema.ts), formatted as the repository formats JSON. Run after
 * changing v1.ts: `npm run docs:schema`. test/unit/protocol/json-schema.test.ts fails while the
 * file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { protocolJsonSchema } from '../src-shared/protocol/json-schema.ts';

export const SCHEMA_FILE = fileURLToPath(
  new URL('../docs/printo-support.v1.schema.json', import.meta.url),
);

export async function renderProtocolSchema(): Promise<string> {
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(protocolJsonSchema()), {
    ...options,
    filepath: SCHEMA_FILE,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await renderProtocolSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
