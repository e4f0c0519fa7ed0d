// Export throughput: exportResult() to CSV, JSON Lines and JSON, as a ratio to writing the very
// same bytes with a plain fs.WriteStream (1.0 would mean serializing costs nothing). The source
// serves precomputed pages in a cycle so the number measures the export, not row generation.
// Standalone: `npx tsx bench/results-export.ts [rows]`.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { exportResult } from '../src/results/export';
import type { ResultPage, ResultRow, ResultSource } from '../src/results/types';
import { eventRow, EVENT_COLUMNS } from './results-fixtures';
import type { BenchOptions, BenchResult } from './lib/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PAGE = 5_000;

function cyclingSource(totalRows: number): ResultSource {
  const pages: ResultRow[][] = [];
  for (let p = 0; p < 10; p++) pages.push(Array.from({ length: PAGE }, (_, i) => eventRow(p * PAGE + i)));
  return {
    columns: EVENT_COLUMNS,
    pageSize: PAGE,
    access: 'random',
    totalRows,
    async fetchPage(index: number): Promise<ResultPage> {
      const start = index * PAGE;
      const n = Math.max(0, Math.min(PAGE, totalRows - start));
      const rows = n === PAGE ? pages[index % pages.length] : pages[index % pages.length].slice(0, n);
      return { rows, startIndex: start, last: start + n >= totalRows };
    },
  };
}

async function plainWrite(path: string, data: Buffer, chunk: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const stream = createWriteStream(path, { highWaterMark: 1 << 20 });
  await once(stream, 'open');
  for (let at = 0; at < data.length; at += chunk) {
    if (!stream.write(data.subarray(at, at + chunk))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function runExportBench(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const rows = opts.rows ?? 1_000_000;
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-export-'));
  const results: BenchResult[] = [];
  try {
    for (const format of ['csv', 'jsonl', 'json'] as const) {
      const path = join(dir, `out.${format}`);
      const copy = join(dir, `plain.${format}`);
      let best = Infinity;
      let bestPlain = Infinity;
      let bytes = 0;
      let heapGrowth = 0;
      for (let run = 0; run < 2; run++) {
        gc();
        const heap0 = process.memoryUsage().heapUsed;
        let pages = 0;
        const t0 = process.hrtime.bigint();
        const res = await exportResult(cyclingSource(rows), {
          format,
          path,
          onProgress: () => {
            if (++pages % 25 === 0) {
              gc();
              heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heap0);
            }
          },
        });
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
        bytes = res.bytesWritten;
        const data = readFileSync(path);
        rmSync(path);
        bestPlain = Math.min(bestPlain, await plainWrite(copy, data, Math.ceil(data.length / Math.ceil(rows / PAGE))));
        if (statSync(copy).size !== bytes) throw new Error('plain copy differs in size');
        rmSync(copy);
      }
      const ratio = bestPlain / best;
      log(`export ${format}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${best.toFixed(0)} ms (${(bytes / 1e3 / best).toFixed(0)} MB/s); plain stream ${bestPlain.toFixed(0)} ms; ratio ${ratio.toFixed(3)}; heap growth ${(heapGrowth / 1e6).toFixed(1)} MB`);
      results.push(
        { name: `results.export.${format}.throughputRatio`, value: ratio, unit: 'x plain fs stream' },
        { name: `results.export.${format}.throughput`, value: bytes / 1e3 / best, unit: 'MB/s' },
        { name: `results.export.${format}.rowsPerSecond`, value: rows / (best / 1000), unit: 'rows/s' },
        { name: `results.export.${format}.heapGrowth`, value: heapGrowth / 1e6, unit: 'MB', goal: `< ${((bytes / 1e6) / 10).toFixed(0)} (a tenth of the file)` },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  runExportBench({ rows: Number(process.argv[2] ?? 1_000_000), log: (l) => console.log(l) })
    .then((r) => console.table(r))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
