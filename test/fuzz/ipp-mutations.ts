/**
 * Seeded mutations of real IPP responses for fuzzing the decoder and the CUPS mapping. Shared by
 * the short run in the test suite and the long run in bench/ipp-fuzz.ts.
 */
import fc from 'fast-check';

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'u16'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | {
      readonly kind: 'repeat';
      readonly at: number;
      readonly length: number;
      readonly times: number;
    };

/** Positions are fractions of the current length so a mutation applies to any input. */
// Uniform over the message. fc.double is uniform over bit patterns (almost always ~0) and
// integers are biased towards the extremes: either way the 8-byte header every time.
const at = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
// Bytes that matter to RFC 8010: delimiters, begCollection/endCollection/memberAttrName,
// the extension tag, and extremes.
const interestingByte = fc.oneof(
  fc.constantFrom(
    0x00,
    0x01,
    0x02,
    0x03,
    0x04,
    0x0f,
    0x10,
    0x13,
    0x21,
    0x31,
    0x34,
    0x35,
    0x37,
    0x4a,
    0x7f,
    0x80,
    0xff,
  ),
  fc.integer({ min: 0, max: 255 }),
);
const interestingU16 = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 11, 0x7fff, 0x8000, 0xfffe, 0xffff),
  fc.integer({ min: 0, max: 0xffff }),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at, value: interestingByte }),
  fc.record({ kind: fc.constant('u16' as const), at, value: interestingU16 }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at,
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 64 }),
  }),
);

export function applyMutation(input: Uint8Array, mutation: Mutation): Uint8Array {
  const position = Math.floor(mutation.at * input.length);
  switch (mutation.kind) {
    case 'flip': {
      const out = input.slice();
      if (position < out.length) out[position] = (out[position] ?? 0) ^ (1 << mutation.bit);
      return out;
    }
    case 'set': {
      const out = input.slice();
      if (position < out.length) out[position] = mutation.value;
      return out;
    }
    case 'u16': {
      const out = input.slice();
      if (position + 1 < out.length) new DataView(out.buffer).setUint16(position, mutation.value);
      return out;
    }
    case 'truncate':
      return input.slice(0, position);
    case 'delete':
      return Uint8Array.from([
        ...input.subarray(0, position),
        ...input.subarray(position + mutation.length),
      ]);
    case 'insert':
      return Uint8Array.from([
        ...input.subarray(0, position),
        ...mutation.bytes,
        ...input.subarray(position),
      ]);
    case 'repeat': {
      const chunk = input.subarray(position, position + mutation.length);
      const parts = [input.subarray(0, position)];
      for (let i = 0; i < mutation.times; i++) parts.push(chunk);
      parts.push(input.subarray(position));
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    }
  }
}

/** A case: which corpus entry, and a short chain of mutations applied in order. */
export function fuzzCaseArb(
  corpusSize: number,
): fc.Arbitrary<{ sample: number; mutations: Mutation[] }> {
  return fc.record({
    sample: fc.integer({ min: 0, max: corpusSize - 1 }),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
  });
}

export function mutate(
  corpus: readonly Uint8Array[],
  fuzzCase: { sample: number; mutations: Mutation[] },
): Uint8Array {
  let bytes = corpus[fuzzCase.sample] ?? new Uint8Array(0);
  for (const mutation of fuzzCase.mutations) bytes = applyMutation(bytes, mutation);
  return bytes;
}
