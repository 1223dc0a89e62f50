/**
 * docs/printo-help-export.v1.schema.json is current: what `npm run docs:schema` writes from
 * ExportSchema. (support-terminal.test.ts validates a real export against it with Ajv.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_SCHEMA_FILE, renderExportSchema } from '../../../scripts/write-protocol-schema.ts';

describe('the export JSON Schema', () => {
  it('is current: docs/printo-help-export.v1.schema.json is what `npm run docs:schema` writes', async () => {
    expect(readFileSync(EXPORT_SCHEMA_FILE, 'utf8')).toBe(await renderExportSchema());
  });

  it('pins the format name', () => {
    const schema = JSON.parse(readFileSync(EXPORT_SCHEMA_FILE, 'utf8')) as {
      properties: { format: { const: string } };
    };
    expect(schema.properties.format.const).toBe('printo-help-export/v1');
  });
});
