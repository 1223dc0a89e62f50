/**
 * `printo-help-export/v1` as JSON Schema (draft 2020-12), generated from ExportSchema, for
 * whoever reads a user's export with other tools: docs/printo-help-export.v1.schema.json is this
 * function's output (`npm run docs:schema` writes it; a test checks it is current).
 */
import { z } from 'zod';
import { EXPORT_FORMAT, ExportSchema } from './transcript.ts';

export function exportJsonSchema(): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    ...z.toJSONSchema(ExportSchema, { target: 'draft-2020-12', io: 'output' }),
  };
  delete schema['$schema'];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://printogens.example/schemas/printo-help-export.v1.schema.json',
    title: `Printo Help export (${EXPORT_FORMAT})`,
    description:
      'What `printo-help transcripts export` and the app’s "Export" write: the support sessions and diagnostic reports kept on one computer (docs/privacy.md, "The desktop client’s copy"). Generated from src-shared/model/transcript.ts.',
    ...schema,
  };
}
