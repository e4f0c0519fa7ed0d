// The results benchmarks as one call for bench/main.ts: export throughput (results-export.ts) and
// fetch throughput and memory (results-fetch.ts). Each file also runs on its own.
// Standalone: `npx tsx bench/results-bench.ts [rows]`.
import { runExportBench } from './results-export';
import { runFetchBench } from './results-fetch';
import type { BenchOptions, BenchResult } from './lib/types';

export type { BenchOptions, BenchResult } from './lib/types';

export async function runResultsBench(opts: BenchOptions = {}): Promise<BenchResult[]> {
  return [...(await runFetchBench(opts)), ...(await runExportBench(opts))];
}

if (require.main === module) {
  runResultsBench({ rows: Number(process.argv[2] ?? 1_000_000), log: (l) => console.log(l) })
    .then((r) => console.table(r))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
