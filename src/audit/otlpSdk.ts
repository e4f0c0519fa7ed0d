// The OpenTelemetry packages load only when an OTLP endpoint is set, never at activation: the
// extension bundle maps these requires to dist/vendor/otlp.js (see esbuild.mjs); plain Node
// resolves them as usual.
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import type * as ExporterLogs from '@opentelemetry/exporter-logs-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as Core from '@opentelemetry/core';

export interface OtlpSdk {
  LoggerProvider: typeof SdkLogs.LoggerProvider;
  BatchLogRecordProcessor: typeof SdkLogs.BatchLogRecordProcessor;
  OTLPLogExporter: typeof ExporterLogs.OTLPLogExporter;
  resourceFromAttributes: typeof Resources.resourceFromAttributes;
  ExportResultCode: typeof Core.ExportResultCode;
}

let loaded: OtlpSdk | undefined;

export function otlpSdk(): OtlpSdk {
  if (!loaded) {
    // Plain requires on purpose: esbuild keeps them lazy (inside this function) and external.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const logs = require('@opentelemetry/sdk-logs') as typeof SdkLogs;
    const exporter = require('@opentelemetry/exporter-logs-otlp-http') as typeof ExporterLogs;
    const resources = require('@opentelemetry/resources') as typeof Resources;
    const core = require('@opentelemetry/core') as typeof Core;
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded = {
      LoggerProvider: logs.LoggerProvider,
      BatchLogRecordProcessor: logs.BatchLogRecordProcessor,
      OTLPLogExporter: exporter.OTLPLogExporter,
      resourceFromAttributes: resources.resourceFromAttributes,
      ExportResultCode: core.ExportResultCode,
    };
  }
  return loaded;
}
