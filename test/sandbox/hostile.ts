// Hostile mode: every display string a sandbox service returns carries markup, links, bidi
// controls and a spreadsheet formula, so the integration suite can prove none of it becomes an
// action or a link inside VS Code. Off by default and in the demo; on with
// GATEHOUSE_SANDBOX_HOSTILE=1, startSandbox({ hostile: true }), or at run time with
// POST /__sandbox/hostile {"on": true} on any service (GET reports the state).
//
// Only display fields change (names, titles, descriptions, messages, STRING cells and result
// column names); ids and keys stay as they are, so every request the extension makes still works.
import type { ServerResponse } from 'node:http';

/** Appended to names, titles and messages. */
export const HOSTILE_SUFFIX =
  ' <img src=x onerror="window.__pwned=1"><b>bold</b> [x](command:workbench.action.quit) [y](javascript:alert(1)) <javascript:alert(2)> $(bug) **strong** \u202Egnp.exe\u202C';
/** The value of every STRING cell: a formula first (what spreadsheets run), then markup. */
export const HOSTILE_CELL = '=HYPERLINK("https://evil.example/","click") <img src=x onerror="window.__pwned=1"> [x](command:workbench.action.quit) \u2066isolate\u2069';

// Display keys per service. Looker's `name` is a field key in results, so only folders (objects
// with a parent_id) get a hostile name there.
const DISPLAY_KEYS: Record<string, readonly string[]> = {
  airbyte: ['name', 'detail'],
  dbtCloud: ['name', 'description', 'status_message'],
  looker: ['title', 'description'],
  metabase: ['name', 'description', 'display_name'],
  bigquery: ['friendlyName', 'description', 'message'],
};

export class HostileMode {
  on: boolean;

  constructor(on = process.env.GATEHOUSE_SANDBOX_HOSTILE === '1') {
    this.on = on;
  }

  /** Whether responses of `service` are rewritten now. */
  applies(service: string): boolean {
    return this.on && Object.hasOwn(DISPLAY_KEYS, service);
  }

  /**
   * Rewrites the JSON body `res` ends with (sendJson writes head then ends with the text), fixing
   * its content-length. Other bodies pass through.
   */
  wrap(service: string, res: ServerResponse): void {
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    let head: unknown[] | undefined;
    (res as unknown as { writeHead: (...a: unknown[]) => ServerResponse }).writeHead = (...args: unknown[]) => {
      head = args;
      return res;
    };
    (res as unknown as { end: (...a: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
      let chunk = args[0];
      const headers = (head?.find((a) => typeof a === 'object' && a !== null) ?? {}) as Record<string, string | number>;
      const type = String(headers['content-type'] ?? res.getHeader('content-type') ?? '');
      if (/json/.test(type) && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
        try {
          chunk = JSON.stringify(hostileBody(service, JSON.parse(chunk.toString())));
          if (headers['content-length'] !== undefined) headers['content-length'] = Buffer.byteLength(chunk as string);
        } catch {
          // Not JSON after all: send it as it was.
        }
      }
      if (head) writeHead(...head);
      return end(chunk, ...args.slice(1));
    };
  }
}

/** `body` with every display string of `service` made hostile (pure; exported for tests). */
export function hostileBody(service: string, body: unknown): unknown {
  const keys = new Set(DISPLAY_KEYS[service] ?? []);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(o)) {
      const display = keys.has(k) || (service === 'looker' && k === 'name' && 'parent_id' in o);
      out[k] = display && typeof val === 'string' && val !== '' ? `${val}${HOSTILE_SUFFIX}` : walk(val);
    }
    if (service === 'bigquery') hostileBigQueryRows(out);
    return out;
  };
  return walk(body);
}

// A query response: STRING cells become HOSTILE_CELL and result columns get hostile names.
function hostileBigQueryRows(o: Record<string, unknown>): void {
  const schema = o.schema as { fields?: { name: string; type: string; mode?: string }[] } | undefined;
  if (!Array.isArray(schema?.fields)) return;
  const fields = schema.fields;
  const isQueryResult = Array.isArray(o.rows) || o.kind === 'bigquery#queryResponse' || o.kind === 'bigquery#getQueryResultsResponse';
  fields.forEach((f, i) => {
    if (typeof f.name === 'string') f.name = `${f.name}${HOSTILE_SUFFIX}`;
    if (!isQueryResult || f.type !== 'STRING' || f.mode === 'REPEATED') return;
    for (const row of (o.rows ?? []) as { f?: { v: unknown }[] }[]) {
      const cell = row?.f?.[i];
      if (cell && typeof cell.v === 'string') cell.v = HOSTILE_CELL;
    }
  });
}

/** The one switch every service shares (the sandbox runs in one process). */
export const hostileMode = new HostileMode();
