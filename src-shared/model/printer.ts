import { z } from 'zod';

/** Normalised printer state, the same on every OS (IPP printer-state, RFC 8011 §5.4.11). */
export const PrinterStateSchema = z.enum(['idle', 'processing', 'stopped', 'unknown']);
export type PrinterState = z.infer<typeof PrinterStateSchema>;

/** Severity of one state reason: informational, a warning that does not stop printing, or an error. */
export const SeveritySchema = z.enum(['report', 'warning', 'error']);
export type Severity = z.infer<typeof SeveritySchema>;

export const StateReasonSchema = z.object({
  /** Base keyword with any -report/-warning/-error suffix removed, e.g. `media-jam`. */
  keyword: z.string().min(1),
  /** The keyword exactly as the print system reported it, e.g. `media-jam-warning`. */
  raw: z.string().min(1),
  severity: SeveritySchema,
});
export type StateReason = z.infer<typeof StateReasonSchema>;

export const SupplyKindSchema = z.enum(['toner', 'ink', 'waste', 'drum', 'fuser', 'other']);
export type SupplyKind = z.infer<typeof SupplyKindSchema>;

export const SupplySchema = z.object({
  name: z.string(),
  kind: SupplyKindSchema,
  /** Colour as reported (`#000000`, `black`…), or null when unknown. */
  color: z.string().nullable(),
  /** Percent 0–100, or null when the device does not report a level. */
  level: z.number().int().min(0).max(100).nullable(),
  /** `low` / `empty` follow the device's own thresholds; for waste containers `low` means almost full and `empty` means full. */
  status: z.enum(['ok', 'low', 'empty', 'unknown']),
});
export type Supply = z.infer<typeof SupplySchema>;

export const PrinterSchema = z.object({
  /** Queue name: the identifier every queue action takes. */
  name: z.string().min(1),
  description: z.string().nullable(),
  location: z.string().nullable(),
  makeAndModel: z.string().nullable(),
  /** Driver in use: CUPS make-and-model of the PPD / `IPP Everywhere`, Windows driver name. */
  driver: z.string().nullable(),
  /** Where jobs go: the CUPS device URI, or the Windows port (with its host address when known). */
  connection: z.object({
    uri: z.string().nullable(),
    port: z.string().nullable(),
  }),
  isDefault: z.boolean(),
  isShared: z.boolean(),
  state: PrinterStateSchema,
  reasons: z.array(StateReasonSchema),
  stateMessage: z.string().nullable(),
  supplies: z.array(SupplySchema),
  acceptingJobs: z.boolean(),
  /** Jobs not yet completed (pending, held, processing, stopped). */
  jobCount: z.number().int().min(0),
});
export type Printer = z.infer<typeof PrinterSchema>;
