// Runs loadManifestData in a worker thread so a 100 MB JSON.parse never stalls the extension host.
// The worker's entry is manifestWorkerMain.ts, bundled by esbuild into its own file; the built
// index crosses back by structured clone (plain objects and transferable Int32Arrays).
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../core/errors';
import { DbtProjectIndex } from './manifest';
import { DbtManifestError, type DbtManifestErrorReason } from './manifestErrors';
import type { DbtIndexData, DbtLoadOptions } from './manifestTypes';
import { currentBundle, t, type Bundle } from '../core/l10n';

/** Marks our workers, so the entry does nothing if bundled into someone else's thread. */
export const DBT_MANIFEST_WORKER_TAG = 'gatehouse.dbt.manifest';

export interface WorkerRequest {
  readonly tag: typeof DBT_MANIFEST_WORKER_TAG;
  readonly path: string;
  readonly options: Omit<DbtLoadOptions, 'signal'>;
  /** The extension's translations: the worker's messages (problems, errors) are in the person's language too. */
  readonly bundle?: Bundle;
}

export type WorkerReply =
  | { readonly ok: true; readonly data: DbtIndexData }
  | { readonly ok: false; readonly reason: DbtManifestErrorReason | 'cancelled'; readonly message: string; readonly nextStep?: string };

/** A path or URL to the built worker script, or a factory (tests start the .ts entry through tsx). */
export type DbtWorkerScript = string | URL | ((workerData: WorkerRequest) => Worker);

export function loadManifestInWorker(script: DbtWorkerScript, path: string, options: DbtLoadOptions = {}): Promise<DbtProjectIndex> {
  const { signal, ...rest } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError(t('Loading the dbt manifest was cancelled.')));
  const request: WorkerRequest = { tag: DBT_MANIFEST_WORKER_TAG, path, options: rest, bundle: currentBundle() };
  const worker = typeof script === 'function' ? script(request) : new Worker(script, { workerData: request });
  return new Promise<DbtProjectIndex>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => settle(() => reject(new CancelledError(t('Loading the dbt manifest was cancelled.'))));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) =>
      settle(() => {
        if (reply.ok) resolve(new DbtProjectIndex(reply.data));
        else if (reply.reason === 'cancelled') reject(new CancelledError(reply.message));
        else reject(new DbtManifestError(reply.reason, reply.message, reply.nextStep));
      }),
    );
    worker.once('error', (error) => settle(() => reject(new DbtManifestError('worker', 'The dbt manifest worker failed.', undefined, { cause: error }))));
    worker.once('exit', (code) => settle(() => reject(new DbtManifestError('worker', t('The dbt manifest worker stopped (exit code {0}).', code)))));
  });
}
