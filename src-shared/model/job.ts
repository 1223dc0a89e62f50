import { z } from 'zod';

/** IPP job-state (RFC 8011 §5.3.7), the normalised job state on every OS. */
export const JobStateSchema = z.enum([
  'pending',
  'pending-held',
  'processing',
  'processing-stopped',
  'canceled',
  'aborted',
  'completed',
]);
export type JobState = z.infer<typeof JobStateSchema>;

export const ACTIVE_JOB_STATES: readonly JobState[] = [
  'pending',
  'pending-held',
  'processing',
  'processing-stopped',
];

const isoTime = z.iso.datetime({ offset: true }).nullable();

export const JobSchema = z.object({
  id: z.number().int().positive(),
  printer: z.string().min(1),
  /** Document name: personal data (consent scope `jobs.metadata`). */
  name: z.string().nullable(),
  /** Job owner: personal data (consent scope `jobs.metadata`). */
  owner: z.string().nullable(),
  sizeBytes: z.number().int().min(0).nullable(),
  /** Pages (impressions) in the job when known. */
  pages: z.number().int().min(0).nullable(),
  pagesCompleted: z.number().int().min(0).nullable(),
  state: JobStateSchema,
  reasons: z.array(z.string()),
  createdAt: isoTime,
  processingAt: isoTime,
  completedAt: isoTime,
});
export type Job = z.infer<typeof JobSchema>;
