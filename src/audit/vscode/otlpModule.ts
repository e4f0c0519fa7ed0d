// The OTLP export's VS Code side: reads gatehouse.audit.otlp.* from machine scope (a workspace
// cannot send the audit trail elsewhere), keeps the export headers in SecretStorage, restarts the
// export when either changes, and loads the OpenTelemetry packages only when an endpoint is set.
import * as vscode from 'vscode';
import { plain } from '../../core/displayText';
import type { Logger } from '../../core/logger';
import type { SecretRegistry } from '../../core/redact';
import type { AuditTrail } from '../auditTrail';
import { OtlpAuditExporter, OtlpSettingsError, otlpLogsUrl, parseOtlpHeaders } from '../otlpExport';

export const OTLP_HEADERS_KEY = 'gatehouse.audit.otlp.headers';

export interface OtlpModuleDeps {
  context: vscode.ExtensionContext;
  trail: AuditTrail;
  logger: Logger;
  secrets: SecretRegistry;
}

/** A machine-scoped text setting: the user's (or remote) value, never a workspace's. */
function machineText(key: string): string | undefined {
  const i = vscode.workspace.getConfiguration('gatehouse').inspect<string>(key);
  const v = i?.globalValue ?? i?.defaultValue;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

async function storedHeaders(secrets: vscode.SecretStorage): Promise<Record<string, string>> {
  const text = await secrets.get(OTLP_HEADERS_KEY);
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export function createOtlpModule(deps: OtlpModuleDeps) {
  const logger = deps.logger.child('otlp');
  const version = String(deps.context.extension.packageJSON.version ?? '');
  let exporter: OtlpAuditExporter | undefined;
  // Restarts run one after another, so two quick changes never leave two exporters running.
  let restarting: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const previous = exporter;
    exporter = undefined;
    await previous?.shutdown();
    const endpoint = machineText('audit.otlp.endpoint');
    if (!endpoint) return;
    try {
      exporter = new OtlpAuditExporter(
        { url: otlpLogsUrl(endpoint), headers: await storedHeaders(deps.context.secrets), serviceName: machineText('audit.otlp.serviceName') ?? 'gatehouse', serviceVersion: version },
        { onDidRecord: deps.trail.onDidRecord, logger, secrets: deps.secrets },
      );
    } catch (err) {
      if (OtlpSettingsError.is(err)) logger.warn(`gatehouse.audit.otlp.endpoint is not used: ${err.message}`);
      else logger.error('could not start the OTLP audit export', err);
    }
  };
  const restart = () => (restarting = restarting.then(start));

  const setHeaders = async (text?: string): Promise<boolean> => {
    const value =
      typeof text === 'string'
        ? text
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('OTLP export headers'),
            prompt: vscode.l10n.t('name=value pairs separated by commas, sent with every export (e.g. Authorization=Bearer …). Kept in the OS keychain (VS Code SecretStorage). Empty removes them.'),
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => {
              try {
                parseOtlpHeaders(v);
                return undefined;
              } catch (err) {
                return OtlpSettingsError.is(err) ? plain(err.message) : vscode.l10n.t('These headers cannot be read.');
              }
            },
          });
    if (value === undefined) return false;
    const headers = parseOtlpHeaders(value);
    if (Object.keys(headers).length === 0) await deps.context.secrets.delete(OTLP_HEADERS_KEY);
    else await deps.context.secrets.store(OTLP_HEADERS_KEY, JSON.stringify(headers));
    logger.info(Object.keys(headers).length ? `OTLP export headers stored (${Object.keys(headers).join(', ')})` : 'OTLP export headers removed');
    return true;
  };

  const disposables: vscode.Disposable[] = [
    vscode.commands.registerCommand('gatehouse.audit.setOtlpHeaders', setHeaders),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gatehouse.audit.otlp') && void restart()),
    deps.context.secrets.onDidChange((e) => e.key === OTLP_HEADERS_KEY && void restart()),
  ];
  void restart();

  /** Flushes what is queued and stops the export: deactivation awaits it. */
  const shutdown = async (): Promise<void> => {
    await restarting;
    await exporter?.shutdown();
  };

  return {
    shutdown,
    dispose: () => {
      disposables.forEach((d) => d.dispose());
      void shutdown();
    },
    testing: {
      /** Settles pending restarts; then whether an export runs. */
      settled: async () => {
        await restarting;
        return exporter !== undefined;
      },
      flush: async () => {
        await restarting;
        await exporter?.flush();
      },
      setHeaders,
    },
  };
}
