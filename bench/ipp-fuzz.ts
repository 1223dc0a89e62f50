/**
 * Long seeded fuzz run of the IPP decoder (and the CUPS mapping) over mutated real responses.
 * Prints cases per second, outcomes, the slowest case and peak memory; exits non-zero if any case
 * throws something other than IppDecodeError / PrintoError (fast-check then prints the shrunk
 * counterexample and the seed to replay it).
 *
 *   node bench/ipp-fuzz.ts [--runs N] [--seed S]
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../test/fuzz/corpus.ts';
import { fuzzTarget } from '../test/fuzz/ipp-fuzz-target.ts';
import { fuzzCaseArb, mutate } from '../test/fuzz/ipp-mutations.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '20261124' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const corpus = loadCorpus();
const samples = corpus.map((c) => c.bytes);

const outcomes = { decoded: 0, rejected: 0 };
let slowestMs = 0;
let largestInput = 0;
let peakRss = process.memoryUsage().rss;
let peakHeap = process.memoryUsage().heapUsed;
const started = performance.now();
let done = 0;

fc.assert(
  fc.property(fuzzCaseArb(samples.length), (fuzzCase) => {
    const bytes = mutate(samples, fuzzCase);
    largestInput = Math.max(largestInput, bytes.length);
    const t = performance.now();
    outcomes[fuzzTarget(bytes)] += 1;
    slowestMs = Math.max(slowestMs, performance.now() - t);
    if (++done % 10_000 === 0) {
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
      process.stderr.write(`  ${done}/${runs}\r`);
    }
  }),
  { seed, numRuns: runs },
);

const seconds = (performance.now() - started) / 1000;
const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);
console.log(
  `bench/ipp-fuzz: ${runs} cases, seed ${seed}, corpus ${corpus.map((c) => `${c.name} (${c.bytes.length} B)`).join(', ')}`,
);
console.log(`  ${(runs / seconds).toFixed(0)} cases/s over ${seconds.toFixed(1)} s; no crash`);
console.log(`  decoded ${outcomes.decoded}, rejected with IppDecodeError ${outcomes.rejected}`);
console.log(`  slowest case ${slowestMs.toFixed(2)} ms; largest input ${largestInput} B`);
console.log(`  peak RSS ${mib(peakRss)} MiB, peak heap ${mib(peakHeap)} MiB`);
