// From a service's own name for how it draws a result to the chart the results panel draws: each
// service gives its table of exact matches, of nearest charts for types the panel lacks, and of
// types that are tables (no chart). Unknown types get a bar chart, marked as not exact.
import type { ChartHint } from './resultsPresenter';
import type { ChartKind } from './resultsProtocol';

export interface ChartTypeTable {
  exact: ReadonlyMap<string, ChartKind>;
  nearest: ReadonlyMap<string, ChartKind>;
  tables: ReadonlySet<string>;
}

export function chartHintFrom(table: ChartTypeTable, type: string | null | undefined): ChartHint | undefined {
  if (typeof type !== 'string' || !type) return undefined;
  const requested = type.slice(0, 100);
  const exact = table.exact.get(type);
  if (exact) return { kind: exact, requested, exact: true };
  if (table.tables.has(type)) return { requested, exact: true };
  return { kind: table.nearest.get(type) ?? 'bar', requested, exact: false };
}
