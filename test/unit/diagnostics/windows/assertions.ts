import { expect } from 'vitest';
import { isPrintoError, type PrintoError } from '../../../../src-shared/errors.ts';
import { EvidenceSchema, FixSchema } from '../../../../src-shared/model/diagnostics.ts';
import type { CheckOutcome } from '../../../../src-main/diagnostics/check.ts';

/** Exactly one outcome whose evidence and fixes are valid report material. */
export function single(outcomes: readonly CheckOutcome[]): CheckOutcome {
  expect(outcomes).toHaveLength(1);
  const [outcome] = outcomes;
  if (outcome === undefined) throw new Error('no outcome');
  for (const evidence of outcome.evidence ?? []) EvidenceSchema.parse(evidence);
  for (const fix of outcome.fixes ?? []) FixSchema.parse(fix);
  return outcome;
}

export async function rejection(promise: Promise<unknown>): Promise<PrintoError> {
  try {
    await promise;
  } catch (error) {
    if (isPrintoError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

export function evidenceOf(outcome: CheckOutcome, label: string) {
  return outcome.evidence?.find((evidence) => evidence.label === label);
}
