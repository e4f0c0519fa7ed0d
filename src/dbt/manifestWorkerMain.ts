// Entry of the dbt manifest worker thread (esbuild: its own output file, see manifestWorker.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError } from '../core/errors';
import { DbtManifestError } from './manifestErrors';
import { loadManifestData } from './manifestLoader';
import { DBT_MANIFEST_WORKER_TAG, type WorkerReply, type WorkerRequest } from './manifestWorker';
import { t, useBundle } from '../core/l10n';

const request = workerData as WorkerRequest | undefined;
if (parentPort && request?.tag === DBT_MANIFEST_WORKER_TAG) {
  const port = parentPort;
  useBundle(request.bundle);
  loadManifestData(request.path, request.options).then(
    (data) => {
      const reply: WorkerReply = { ok: true, data };
      const transfer = [data.parentOffsets.buffer, data.parentIndexes.buffer, ...(data.codeSpans ? [data.codeSpans.buffer] : [])] as ArrayBuffer[];
      port.postMessage(reply, transfer);
    },
    (error: unknown) => {
      const reply: WorkerReply =
        error instanceof DbtManifestError
          ? { ok: false, reason: error.reason, message: error.message, nextStep: error.nextStep }
          : error instanceof CancelledError
            ? { ok: false, reason: 'cancelled', message: error.message }
            : { ok: false, reason: 'worker', message: t('The dbt manifest could not be loaded (internal error).') };
      port.postMessage(reply);
    },
  );
}
