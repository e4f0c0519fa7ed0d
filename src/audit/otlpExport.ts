// The audit trail, also sent to the organisation's collector as OpenTelemetry log records over
// OTLP/HTTP (JSON). The local file stays the record of truth: a record is written there first and
// then handed to the export, which batches in the background, holds a bounded queue, never makes
// the person wait, and says once in the log when the collector cannot be reached.
import type { LogRecord } from '@opentelemetry/api-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ExportResult } from '@opentelemetry/core';
import type { Disposable } from '../core/disposable';
import type { Event } from '../core/event';
import type { Logger } from '../core/logger';
import { redact, type SecretRegistry } from '../core/redact';
import type { AuditRecord } from './auditTrail';
import { otlpSdk, type OtlpSdk } from './otlpSdk';
import { t } from '../core/l10n';

export type OtlpSettingsErrorReason = 'badEndpoint' | 'insecureEndpoint' | 'badHeaders';

export class OtlpSettingsError extends Error {
  constructor(
    readonly reason: OtlpSettingsErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'OtlpSettingsError';
  }

  static is(value: unknown): value is OtlpSettingsError {
    return value instanceof OtlpSettingsError;
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The OTLP/HTTP logs URL from the setting: https, or plain http only to this machine (a local
 * collector or agent); no credentials in it. A URL without a path gets the standard `/v1/logs`.
 */
export function otlpLogsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new OtlpSettingsError('badEndpoint', 'The OTLP endpoint is not a URL.');
  }
  if (url.username || url.password) throw new OtlpSettingsError('badEndpoint', 'The OTLP endpoint must not contain a user name or password; set headers with "Gatehouse: Set OTLP Export Headers".');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new OtlpSettingsError('insecureEndpoint', 'The OTLP endpoint must use https (plain http only to 127.0.0.1, [::1] or localhost).');
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/logs';
  url.hash = '';
  return url.toString();
}

// RFC 7230 token characters, as a header name must be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers the exporter sets itself; a configured value would break the request.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'host', 'transfer-encoding', 'connection']);

/**
 * Headers in the OTEL_EXPORTER_OTLP_HEADERS form: `name=value,name2=value2`, values
 * percent-decoded. Empty text means no headers.
 */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !HEADER_NAME.test(name)) throw new OtlpSettingsError('badHeaders', 'Headers are written name=value, separated by commas (e.g. "Authorization=Bearer …,X-Scope-OrgID=acme").');
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new OtlpSettingsError('badHeaders', t('The exporter sets the {0} header itself.', name));
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new OtlpSettingsError('badHeaders', t('The value of {0} has a broken percent-encoding.', name));
    }
    if (/[\r\n\0]/.test(value)) throw new OtlpSettingsError('badHeaders', t('The value of {0} contains a line break.', name));
    headers[name] = value;
  }
  return headers;
}

// OpenTelemetry severity numbers (logs data model): INFO and WARN.
const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;

/** The event name of every audit log record, for a collector's routing and a SIEM's queries. */
export const AUDIT_EVENT_NAME = 'gatehouse.audit';

/**
 * One audit record as one OpenTelemetry log record: a readable body and the record's fields as
 * attributes. Only the record's own fields are read, and every string passes redaction again (the
 * trail already redacts; the export is one more place text leaves the machine).
 */
export function auditLogRecord(record: AuditRecord, secrets?: SecretRegistry): LogRecord & { eventName: string } {
  const s = (v: string) => redact(v, secrets).slice(0, 2000);
  const attributes: Record<string, string | string[]> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') attributes[key] = s(value);
  };
  put('user.id', record.actor.subject);
  put('user.email', record.actor.email);
  put('gatehouse.actor.issuer', record.actor.issuer);
  put('gatehouse.credential.origin', record.credential);
  put('gatehouse.service', record.service);
  put('gatehouse.action', record.action);
  put('gatehouse.resource', record.resource);
  put('gatehouse.resource.name', record.resourceName);
  if (record.jobIds?.length) attributes['gatehouse.job.ids'] = record.jobIds.map(s);
  put('gatehouse.outcome', record.outcome);
  put('gatehouse.reason', record.reason);
  put('gatehouse.link', record.link);
  put('gatehouse.sql.sha256', record.sqlSha256);
  const who = record.actor.email ?? record.actor.subject;
  const what = record.resourceName ? `${record.resourceName} (${record.resource})` : record.resource;
  const warn = record.outcome === 'failed' || record.outcome === 'denied';
  const time = new Date(record.time);
  return {
    eventName: AUDIT_EVENT_NAME,
    timestamp: Number.isNaN(time.getTime()) ? undefined : time,
    severityNumber: (warn ? SEVERITY_WARN : SEVERITY_INFO) as LogRecord['severityNumber'],
    severityText: warn ? 'WARN' : 'INFO',
    body: s(`${who} ${record.service} ${record.action} ${what}: ${record.outcome}${record.reason ? ` (${record.reason})` : ''}`),
    attributes,
  };
}

export interface OtlpExportSettings {
  /** The logs URL, as otlpLogsUrl() returns it. */
  url: string;
  /** Secret: sent with each export, never logged. */
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion?: string;
  /** Records held for export at most; more are dropped from the export (the local file keeps them). Default 2048. */
  maxQueueSize?: number;
  /** Records per request at most. Default 256. */
  maxBatchSize?: number;
  /** How long records wait to be batched. Default 2 s. */
  batchDelayMs?: number;
  /** One request's time limit, retries included. Default 10 s. */
  timeoutMs?: number;
}

export interface OtlpExportDeps {
  /** The trail's records, as they are written. */
  onDidRecord: Event<AuditRecord>;
  logger: Logger;
  secrets?: SecretRegistry;
  sdk?: () => OtlpSdk;
}

/** Only the kind of a failure is logged: an error's message may carry the collector's answer. */
function failureKind(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | undefined;
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  if (typeof e?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code)) return e.code;
  if (typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name)) return e.name;
  return t('unknown error');
}

export class OtlpAuditExporter implements Disposable {
  private readonly provider: InstanceType<OtlpSdk['LoggerProvider']>;
  private readonly emitter: ReturnType<InstanceType<OtlpSdk['LoggerProvider']>['getLogger']>;
  private readonly subscription: Disposable;
  private readonly maxQueueSize: number;
  private readonly origin: string;
  private emitted = 0;
  private handedOver = 0;
  private failing = false;
  private dropping = false;
  private stopped: Promise<void> | undefined;

  constructor(
    settings: OtlpExportSettings,
    private readonly deps: OtlpExportDeps,
  ) {
    const sdk = (deps.sdk ?? otlpSdk)();
    for (const value of Object.values(settings.headers)) deps.secrets?.add(value);
    this.origin = new URL(settings.url).origin;
    this.maxQueueSize = settings.maxQueueSize ?? 2048;
    const timeoutMillis = settings.timeoutMs ?? 10_000;
    const exporter = this.reporting(new sdk.OTLPLogExporter({ url: settings.url, headers: { ...settings.headers }, timeoutMillis, concurrencyLimit: 2 }), sdk);
    this.provider = new sdk.LoggerProvider({
      resource: sdk.resourceFromAttributes({ 'service.name': settings.serviceName, ...(settings.serviceVersion ? { 'service.version': settings.serviceVersion } : {}) }),
      processors: [
        new sdk.BatchLogRecordProcessor({
          exporter,
          maxQueueSize: this.maxQueueSize,
          maxExportBatchSize: Math.min(settings.maxBatchSize ?? 256, this.maxQueueSize),
          scheduledDelayMillis: settings.batchDelayMs ?? 2_000,
          exportTimeoutMillis: timeoutMillis,
        }),
      ],
    });
    this.emitter = this.provider.getLogger('gatehouse.audit', settings.serviceVersion);
    this.subscription = deps.onDidRecord((record) => this.onRecord(record));
    deps.logger.info(`Audit records are exported to ${this.origin} (OTLP/HTTP).`);
  }

  /** Sends what is queued now (sign-out; tests). Never rejects. */
  async flush(): Promise<void> {
    await this.provider.forceFlush().catch((err: unknown) => this.reportFailure(err));
  }

  /** Flushes and stops (deactivation, a changed endpoint). Never rejects; later calls share the first. */
  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.subscription.dispose();
      await this.provider.shutdown().catch((err: unknown) => this.reportFailure(err));
    })();
    return this.stopped;
  }

  dispose(): void {
    void this.shutdown();
  }

  private onRecord(record: AuditRecord): void {
    if (this.emitted - this.handedOver >= this.maxQueueSize) {
      // The batch processor drops what does not fit; say so once per spell.
      if (!this.dropping) this.deps.logger.warn(`The OTLP export queue is full (${this.maxQueueSize} records): records are left out of the export until it drains; the local audit file keeps them all.`);
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.emitted++;
    try {
      this.emitter.emit(auditLogRecord(record, this.deps.secrets));
    } catch (err) {
      this.reportFailure(err);
    }
    // A sign-out ends the session: what it did goes out now, not with the next batch.
    if (record.service === 'auth' && record.action === 'sign-out') void this.flush();
  }

  /** Wraps the OTLP exporter so a failed export is logged once, and a recovery once. */
  private reporting(inner: LogRecordExporter, sdk: OtlpSdk): LogRecordExporter {
    return {
      export: (logs: ReadableLogRecord[], done: (result: ExportResult) => void) => {
        this.handedOver += logs.length;
        inner.export(logs, (result) => {
          if (result.code === sdk.ExportResultCode.SUCCESS) {
            if (this.failing) this.deps.logger.info(`The OTLP audit export to ${this.origin} works again.`);
            this.failing = false;
          } else {
            this.reportFailure(result.error, logs.length);
          }
          done(result);
        });
      },
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush(),
    };
  }

  private reportFailure(error: unknown, count?: number): void {
    if (this.failing) return;
    this.failing = true;
    const what = count === undefined ? 'records' : `${count} record${count === 1 ? '' : 's'}`;
    this.deps.logger.warn(`The OTLP audit export to ${this.origin} failed (${failureKind(error)}): ${what} not sent; the local audit file keeps them. Further failures are not logged until an export succeeds.`);
  }
}
