// Entry of dist/vendor/otlp.js: the OpenTelemetry logs SDK and its OTLP/HTTP exporter in a bundle
// of their own, loaded only when an OTLP endpoint is set (otlpSdk.ts).
export { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
export { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
export { resourceFromAttributes } from '@opentelemetry/resources';
export { ExportResultCode } from '@opentelemetry/core';
