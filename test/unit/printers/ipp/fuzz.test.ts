/**
 * A short, seeded fuzz run in the test suite: mutated real responses through the decoder and the
 * CUPS mapping. bench/ipp-fuzz.ts runs the same target for much longer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../../src-main/printers/ipp/codec.ts';
import { loadCorpus } from '../../../fuzz/corpus.ts';
import { fuzzTarget } from '../../../fuzz/ipp-fuzz-target.ts';
import { fuzzCaseArb, mutate } from '../../../fuzz/ipp-mutations.ts';

const corpus = loadCorpus();
const samples = corpus.map((c) => c.bytes);

describe('IPP decoder fuzzing (seeded)', () => {
  it('decodes every captured real response intact', () => {
    for (const { name, bytes } of corpus) {
      expect(fuzzTarget(bytes), name).toBe('decoded');
      expect(decodeMessage(bytes).groups.length, name).toBeGreaterThan(0);
    }
  });

  it('never throws anything but IppDecodeError or PrintoError on mutated responses', () => {
    const outcomes = { decoded: 0, rejected: 0 };
    fc.assert(
      fc.property(fuzzCaseArb(samples.length), (fuzzCase) => {
        outcomes[fuzzTarget(mutate(samples, fuzzCase))] += 1;
      }),
      { seed: 0x1fe2, numRuns: 3_000 },
    );
    // The mutations must exercise both paths, or the run proves little.
    expect(outcomes.decoded).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
    // A fixed amount of CPU work, not a wait: on a busy 2-core machine it can outlast 5 s.
  }, 60_000);
});
