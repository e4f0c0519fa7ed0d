// A Metabase question's parameters (card.parameters: native template tags and field filters) and
// how their values travel in `POST /api/card/:id/query` as `parameters: [{id, type, target,
// value}]`. A value is asked as text and checked against the parameter's kind (text, number,
// date); what Metabase sent (names, defaults) is data, shown and never obeyed.
import { t } from '../core/l10n';

/** card.parameters[i] as Metabase sends it. */
export interface CardParameter {
  id: string;
  type: string;
  /** ["variable", ["template-tag", "x"]] for a tag, ["dimension", ["template-tag", "x"]] for a field filter. */
  target?: unknown;
  name?: string;
  slug?: string;
  default?: unknown;
  required?: boolean;
}

/** One value sent with a query. */
export interface ParameterValue {
  id: string;
  type: string;
  target?: unknown;
  value: string | number | Array<string | number>;
}

export type ParameterKind = 'text' | 'number' | 'date';

/** What the person types a value as: `number/…` is a number, `date/…` a date, everything else text. */
export function parameterKind(type: string): ParameterKind {
  if (type.startsWith('number/')) return 'number';
  if (type.startsWith('date/')) return 'date';
  return 'text';
}

/** The card's parameters Gatehouse can send (an id and a type each), in the card's order. */
export function questionParameters(card: { parameters?: unknown }): CardParameter[] {
  if (!Array.isArray(card.parameters)) return [];
  return card.parameters.filter((p): p is CardParameter => !!p && typeof p === 'object' && typeof (p as CardParameter).id === 'string' && typeof (p as CardParameter).type === 'string').slice(0, 50);
}

/** The default a parameter offers, as text ('' when it has none or one Gatehouse cannot show). */
export function parameterDefault(p: CardParameter): string {
  const d = Array.isArray(p.default) ? p.default[0] : p.default;
  return typeof d === 'string' || typeof d === 'number' ? String(d) : '';
}

/** Why `value` is not a valid `kind`, or undefined when it is (an empty value is always accepted: "no value"). */
export function parameterValueProblem(kind: ParameterKind, type: string, value: string): string | undefined {
  const v = value.trim();
  if (value.length > 1_000) return t('Keep the value under 1000 characters.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return t('The value may not contain line breaks or control characters.');
  if (v === '') return undefined;
  if (kind === 'number' && !Number.isFinite(Number(v))) return t('Enter a number (e.g. 42 or 9.5).');
  if (kind === 'date' && type === 'date/single') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!date || date.getUTCMonth() !== Number(m![2]) - 1 || date.getUTCDate() !== Number(m![3])) return t('Enter a date as YYYY-MM-DD.');
  }
  return undefined;
}

/**
 * The `parameters` of a query request: each non-empty value typed for its kind (a number as a
 * number, text and dates as text); a field filter (`dimension` target) takes a list of values.
 * An empty value is left out, so the question's own default applies.
 */
export function encodeParameters(params: readonly CardParameter[], values: ReadonlyMap<string, string>): ParameterValue[] {
  const out: ParameterValue[] = [];
  for (const p of params) {
    const raw = values.get(p.id)?.trim();
    if (!raw) continue;
    const kind = parameterKind(p.type);
    const scalar: string | number = kind === 'number' ? Number(raw) : raw;
    const fieldFilter = Array.isArray(p.target) && p.target[0] === 'dimension';
    out.push({ id: p.id, type: p.type, ...(p.target !== undefined ? { target: p.target } : {}), value: fieldFilter ? [scalar] : scalar });
  }
  return out;
}
