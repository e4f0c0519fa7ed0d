// What every benchmark returns and takes, so bench/main.ts and each benchmark share one shape.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  goal?: string;
}

export interface BenchOptions {
  /** Rows of the result (default 1,000,000). */
  rows?: number;
  /** Progress lines for a human. */
  log?: (line: string) => void;
}
