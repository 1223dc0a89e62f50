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
import { exportJsonSchema } from '../src-shared/model/export-json-schema.ts';

export const SCHEMA_FILE = fileURLToPath(
  new URL('../docs/printo-support.v1.schema.json', import.meta.url),
);

export const EXPORT_SCHEMA_FILE = fileURLToPath(
  new URL('../docs/printo-help-export.v1.schema.json', import.meta.url),
);

async function render(file: string, schema: unknown): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(schema), { ...options, filepath: file });
}

export function renderProtocolSchema(): Promise<string> {
  return render(SCHEMA_FILE, protocolJsonSchema());
}

/** docs/printo-help-export.v1.schema.json: the user's export (printo-help-export/v1). */
export function renderExportSchema(): Promise<string> {
  return render(EXPORT_SCHEMA_FILE, exportJsonSchema());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await renderProtocolSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
  writeFileSync(EXPORT_SCHEMA_FILE, await renderExportSchema());
  console.log(`wrote ${EXPORT_SCHEMA_FILE}`);
}
