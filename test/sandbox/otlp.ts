// A local OTLP/HTTP logs receiver, as an OpenTelemetry Collector's otlphttp receiver answers:
// `POST /v1/logs` with an ExportLogsServiceRequest in the protobuf JSON encoding (gzip allowed),
// 200 with an ExportLogsServiceResponse (`partialSuccess` when some records are rejected), 415 for
// any other encoding (protobuf is not decoded here; Gatehouse's exporter sends JSON), 400 for a
// body that is not a request. The records it keeps are for tests: `GET /__sandbox/otlp/records`
// lists them flattened, `DELETE` forgets them.
import { gunzipSync } from 'node:zlib';
import type { FaultRegistry } from './faults';
import type { RunningService } from './context';
import { HttpError, Router, sendJson, serve } from './http';

/** OTLP AnyValue, decoded: strings, numbers, booleans, arrays and maps. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

export interface ReceivedLogRecord {
  resource: Record<string, OtlpValue>;
  scope: { name?: string; version?: string };
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body: OtlpValue;
  attributes: Record<string, OtlpValue>;
  /** Request headers the collector saw with this record (names lower-case). */
  headers: Record<string, string>;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function anyValue(v: Json): OtlpValue {
  if (!v || typeof v !== 'object') return null;
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  // int64 comes as a string or a number in the JSON encoding.
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return Array.isArray(v.arrayValue?.values) ? v.arrayValue.values.map(anyValue) : [];
  if ('kvlistValue' in v) return keyValues(v.kvlistValue?.values);
  if ('bytesValue' in v) return String(v.bytesValue);
  return null;
}

function keyValues(list: Json): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) if (kv && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export interface OtlpReceiver extends RunningService {
  readonly records: ReceivedLogRecord[];
  /** Requests answered, including rejected ones. */
  readonly requests: number;
}

export async function startOtlpReceiver(opts: { faults: FaultRegistry; port?: number; log?: (line: string) => void }): Promise<OtlpReceiver> {
  const records: ReceivedLogRecord[] = [];
  let requests = 0;
  const router = new Router()
    .post('/v1/logs', (req, res) => {
      requests++;
      const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json') throw new HttpError(415, { code: 3, message: `unsupported content type ${type || '(none)'}: this receiver accepts application/json` });
      let body: Json;
      try {
        const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
        const raw = encoding === 'gzip' ? gunzipSync(req.body) : req.body;
        if (encoding && encoding !== 'gzip' && encoding !== 'identity') throw new HttpError(415, { code: 3, message: `unsupported content encoding ${encoding}` });
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, { code: 3, message: 'the body is not an ExportLogsServiceRequest' });
      }
      if (!isObject(body) || !Array.isArray(body.resourceLogs)) throw new HttpError(400, { code: 3, message: 'resourceLogs is missing' });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
      let rejected = 0;
      for (const rl of body.resourceLogs as Json[]) {
        const resource = keyValues(rl?.resource?.attributes);
        for (const sl of Array.isArray(rl?.scopeLogs) ? rl.scopeLogs : []) {
          const scope = { name: sl?.scope?.name, version: sl?.scope?.version };
          for (const lr of Array.isArray(sl?.logRecords) ? sl.logRecords : []) {
            // A record without a body and without attributes says nothing: rejected, as a collector may.
            if (!isObject(lr) || (!lr.body && !Array.isArray(lr.attributes))) {
              rejected++;
              continue;
            }
            records.push({
              resource,
              scope,
              timeUnixNano: lr.timeUnixNano === undefined ? undefined : String(lr.timeUnixNano),
              observedTimeUnixNano: lr.observedTimeUnixNano === undefined ? undefined : String(lr.observedTimeUnixNano),
              severityNumber: typeof lr.severityNumber === 'number' ? lr.severityNumber : undefined,
              severityText: typeof lr.severityText === 'string' ? lr.severityText : undefined,
              eventName: typeof lr.eventName === 'string' ? lr.eventName : undefined,
              body: anyValue(lr.body),
              attributes: keyValues(lr.attributes),
              headers,
            });
          }
        }
      }
      opts.log?.(`[otlp] ${records.length} records kept, ${rejected} rejected`);
      sendJson(res, 200, rejected ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: `${rejected} log records without body or attributes` } } : { partialSuccess: {} });
    })
    .get('/__sandbox/otlp/records', (_req, res) => sendJson(res, 200, { records }))
    .delete('/__sandbox/otlp/records', (_req, res) => {
      records.length = 0;
      sendJson(res, 200, { ok: true });
    });
  const server = await serve({ name: 'otlp', port: opts.port, router, faults: opts.faults, log: opts.log, errorBody: (status, message) => ({ code: status === 404 ? 5 : 3, message }) });
  return {
    name: 'otlp',
    url: server.url,
    records,
    get requests() {
      return requests;
    },
    close: () => server.close(),
  };
}
