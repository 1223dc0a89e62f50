/**
 * Checking values on their way into the store (caller input → `store-invalid-input`) and out of it
 * (node:sqlite returns loosely typed rows → `store-invalid-data` when a value is not what the schema
 * says, which only happens if the file was changed outside the relay).
 */
import { z } from 'zod';
import type { PrintoError } from '../../src-shared/errors.ts';
import { ScopeSchema, type Scope } from '../../src-shared/protocol/v1.ts';
import { StoreErrorCode, storeError } from './errors.ts';

export type Row = Record<string, unknown>;

const ScopesSchema = z.array(ScopeSchema);

// Input ------------------------------------------------------------------------------------------

export function invalid(message: string): PrintoError {
  return storeError(StoreErrorCode.invalidInput, message);
}

/** ISO 8601 in UTC with milliseconds, so that text order is time order in SQL. */
export function isoTime(value: string, what: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw invalid(`${what} is not a valid time: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw invalid(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
}

export function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${what} must not be empty`);
  return value;
}

/** Known scopes, each once, in the order given. */
export function scopesIn(value: readonly unknown[], what: string): Scope[] {
  const parsed = ScopesSchema.safeParse(value);
  if (!parsed.success) throw invalid(`${what} holds an unknown scope: ${JSON.stringify(value)}`);
  return [...new Set(parsed.data)];
}

// Output -----------------------------------------------------------------------------------------

function badRow(column: string): PrintoError {
  return storeError(StoreErrorCode.invalidData, `A stored ${column} value has the wrong type.`, {
    hint: 'The database was changed outside the relay; restore it from a backup.',
  });
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw badRow(column);
  return value;
}

export function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

export function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRow(column);
  return value;
}

export function blob(row: Row, column: string): Uint8Array {
  const value = row[column];
  if (!(value instanceof Uint8Array)) throw badRow(column);
  return value;
}

export function blobOrNull(row: Row, column: string): Uint8Array | null {
  return row[column] === null ? null : blob(row, column);
}

export function storedOneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = text(row, column);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw badRow(column);
}

export function storedOneOfOrNull<T extends string>(
  row: Row,
  column: string,
  allowed: readonly T[],
): T | null {
  return row[column] === null ? null : storedOneOf(row, column, allowed);
}

/** Scopes are stored as JSON text and validated on every read. */
export function storedScopes(row: Row, column: string, owner: string): Scope[] {
  let value: unknown;
  try {
    value = JSON.parse(text(row, column));
  } catch {
    value = undefined;
  }
  const parsed = ScopesSchema.safeParse(value);
  if (!parsed.success) {
    throw storeError(StoreErrorCode.invalidData, `The stored scopes of ${owner} are unreadable.`, {
      hint: 'The database was changed outside the relay; restore it from a backup.',
    });
  }
  return parsed.data;
}
