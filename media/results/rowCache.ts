// The webview's rows: a bounded LRU of fixed-size blocks, the unit the grid asks the host for.
// It never grows past `maxRows`, whatever the user scrolls through; evicted blocks are asked for
// again when they come back into view (the host answers from its own bounded cache).
import type { CellValue } from '../../src/results/types';

export const BLOCK_SIZE = 100;

export type Row = CellValue[];

export interface LoadedRow {
  index: number;
  row: Row;
}

export class RowBlockCache {
  private readonly blocks = new Map<number, Row[]>();
  private rows = 0;

  constructor(readonly maxRows = 10_000) {}

  get size(): number {
    return this.rows;
  }

  hasBlock(block: number): boolean {
    return this.blocks.has(block);
  }

  /** The row, or undefined while its block is not here. Does not touch the LRU order (hot path). */
  get(index: number): Row | undefined {
    return this.blocks.get(Math.floor(index / BLOCK_SIZE))?.[index % BLOCK_SIZE];
  }

  /** Marks blocks as recently used (the ones on screen). */
  touch(first: number, last: number): void {
    for (let b = first; b <= last; b++) {
      const rows = this.blocks.get(b);
      if (rows) {
        this.blocks.delete(b);
        this.blocks.set(b, rows);
      }
    }
  }

  put(block: number, rows: Row[]): void {
    const old = this.blocks.get(block);
    if (old) {
      this.rows -= old.length;
      this.blocks.delete(block);
    }
    this.blocks.set(block, rows);
    this.rows += rows.length;
    while (this.rows > this.maxRows && this.blocks.size > 1) {
      const oldest = this.blocks.keys().next().value as number;
      this.rows -= this.blocks.get(oldest)!.length;
      this.blocks.delete(oldest);
    }
  }

  /** Every row held, in result order (what sort, filter and find work on). */
  loaded(): LoadedRow[] {
    const out: LoadedRow[] = [];
    for (const block of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const rows = this.blocks.get(block)!;
      for (let i = 0; i < rows.length; i++) out.push({ index: block * BLOCK_SIZE + i, row: rows[i] });
    }
    return out;
  }

  clear(): void {
    this.blocks.clear();
    this.rows = 0;
  }
}

/** Blocks covering rows [first, last] (inclusive), clamped to the result. */
export function blocksFor(first: number, last: number, totalRows: number): { first: number; last: number } | undefined {
  const lastRow = Math.min(last, totalRows - 1);
  if (lastRow < 0 || first > lastRow) return undefined;
  return { first: Math.floor(Math.max(0, first) / BLOCK_SIZE), last: Math.floor(lastRow / BLOCK_SIZE) };
}
