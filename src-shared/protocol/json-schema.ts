/**
 * The protocol as JSON Schema (draft 2020-12), generated from the zod schemas in v1.ts, for
 * clients and agents written in other languages: docs/printo-support.v1.schema.json is this
 * function's output (`npm run docs:schema` writes it; a test checks it is current).
 */
import { z } from 'zod';
import { DiagnosticsReportSchema } from '../model/diagnostics.ts';
import { JobSchema } from '../model/job.ts';
import { PrinterSchema } from '../model/printer.ts';
import {
  AgentMeResponseSchema,
  DeviceSessionListResponseSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  ErasureResponseSchema,
  HealthResponseSchema,
  HttpErrorBodySchema,
  LoginRequestSchema,
  RectificationRequestSchema,
  RectificationResponseSchema,
  SessionExportResponseSchema,
  SessionRightResponseSchema,
  TicketResponseSchema,
} from './http.ts';
import {
  AgentMessageSchema,
  ClientMessageSchema,
  EnvelopeSchema,
  RelayToAgentMessageSchema,
  RelayToClientMessageSchema,
  SUBPROTOCOL,
} from './v1.ts';

export function protocolJsonSchema(): Record<string, unknown> {
  // Each schema under its name in $defs, in this order.
  const named: readonly (readonly [z.ZodType, string, string])[] = [
    [
      EnvelopeSchema,
      'Envelope',
      'Every frame: one JSON object in one WebSocket text frame (docs/protocol.md §3).',
    ],
    [ClientMessageSchema, 'ClientMessage', '`type` and `payload` of the frames a client sends.'],
    [AgentMessageSchema, 'AgentMessage', '`type` and `payload` of the frames an agent sends.'],
    [
      RelayToClientMessageSchema,
      'RelayToClientMessage',
      '`type` and `payload` of the frames the relay sends a client.',
    ],
    [
      RelayToAgentMessageSchema,
      'RelayToAgentMessage',
      '`type` and `payload` of the frames the relay sends an agent.',
    ],
    [PrinterSchema, 'Printer', 'A printer (data kind `printers`).'],
    [JobSchema, 'Job', 'A print job (data kind `jobs`).'],
    [
      DiagnosticsReportSchema,
      'DiagnosticsReport',
      'A diagnostics report (data kind `diagnostics`).',
    ],
    [EnrollRequestSchema, 'EnrollRequest', 'Body of POST /v1/enroll.'],
    [EnrollResponseSchema, 'EnrollResponse', 'Body of the 201 answer to POST /v1/enroll.'],
    [LoginRequestSchema, 'LoginRequest', 'Body of POST /v1/agent/login (answered 204 + cookie).'],
    [AgentMeResponseSchema, 'AgentMeResponse', 'Body of the 200 answer to GET /v1/agent/me.'],
    [TicketResponseSchema, 'TicketResponse', 'Body of the 200 answer to POST /v1/agent/ticket.'],
    [
      SessionExportResponseSchema,
      'SessionExportResponse',
      'Body of the 200 answer to GET /v1/agent/sessions/{sessionId}/export and GET /v1/device/sessions/{sessionId}/export.',
    ],
    [
      DeviceSessionListResponseSchema,
      'DeviceSessionListResponse',
      'Body of the 200 answer to GET /v1/device/sessions.',
    ],
    [
      ErasureResponseSchema,
      'ErasureResponse',
      'Body of the 200 answer to POST /v1/device/sessions/{sessionId}/erasure.',
    ],
    [
      SessionRightResponseSchema,
      'SessionRightResponse',
      'Body of the 200 answer to POST /v1/device/sessions/{sessionId}/restriction and /objection.',
    ],
    [
      RectificationRequestSchema,
      'RectificationRequest',
      'Body of POST /v1/device/sessions/{sessionId}/rectification.',
    ],
    [
      RectificationResponseSchema,
      'RectificationResponse',
      'Body of the 201 answer to POST /v1/device/sessions/{sessionId}/rectification.',
    ],
    [HealthResponseSchema, 'HealthResponse', 'Body of GET /healthz (200 ok, 503 shutting-down).'],
    [HttpErrorBodySchema, 'HttpError', 'Body of every 4xx and 5xx answer.'],
  ];
  const registry = z.registry<{ id: string; description: string }>();
  for (const [schema, id, description] of named) registry.add(schema, { id, description });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `#/$defs/${id}`,
  });
  const defs: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Each def is addressed by its place in $defs (a fragment `$id` is not valid in 2020-12),
    // and the dialect is the document's.
    const def: Record<string, unknown> = { ...schema };
    delete def['$schema'];
    delete def['$id'];
    defs[id] = def;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://printogens.example/schemas/${SUBPROTOCOL}.schema.json`,
    title: `Printo support protocol (${SUBPROTOCOL})`,
    description:
      'Frames are an Envelope whose `type` and `payload` are one of the message schemas for the ' +
      'sender and receiver. Generated from src-shared/protocol/v1.ts; docs/protocol.md explains ' +
      'the rules (sequencing, consent, limits) that a schema cannot say.',
    $defs: defs,
  };
}
