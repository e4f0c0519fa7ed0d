// What a service itself answered to a refused request, as one line of text for "Explain Access":
// the error body's own words (Airbyte's problem `detail`, dbt Cloud's `status.user_message`,
// Looker's and BigQuery's `message`, Metabase's plain text). Read from the HTTP error a service
// error was made from; shown as text, never parsed for instructions and never put in `message`.
import { HttpError } from './errors';

const MAX = 400;

type Json = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function fromBody(body: unknown): string | undefined {
  if (typeof body === 'string') return text(body);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Json;
  const status = b.status as Json | undefined;
  const error = b.error as Json | string | undefined;
  const data = b.data as Json | undefined;
  const said = [
    text(b.detail),
    text(data && typeof data === 'object' ? data.message : undefined),
    text(status && typeof status === 'object' ? status.user_message : undefined),
    text(typeof error === 'object' && error ? error.message : error),
    text(b.message),
  ].filter((s): s is string => !!s);
  // A problem's `title` (e.g. "forbidden") only when nothing says more.
  if (!said.length && text(b.title)) said.push(text(b.title)!);
  return said.length ? [...new Set(said)].join(' — ') : undefined;
}

/** The refused request's answer, clipped to one line; undefined when the service said nothing readable. */
export function serviceReport(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof HttpError) {
      const said = fromBody(e.body);
      if (!said) return undefined;
      const line = said.replace(/\s+/g, ' ');
      return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
    }
  }
  return undefined;
}
