/** docs/client-services.md lists every method and event of the contract, and nothing else. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../../src-shared/api/contract.ts';

const doc = readFileSync(new URL('../../../docs/client-services.md', import.meta.url), 'utf8');
const rows = (heading: string): string[] => {
  const section = doc.split(`## ${heading}`)[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-zA-Z.]+)` \|/gm)].map((m) => m[1] ?? '');
};

describe('docs/client-services.md', () => {
  it('has a row for every method, in the contract’s order', () => {
    expect(rows('Methods')).toEqual(METHOD_NAMES);
  });
  it('has a row for every event', () => {
    expect(rows('Events')).toEqual(EVENT_NAMES);
  });
});
