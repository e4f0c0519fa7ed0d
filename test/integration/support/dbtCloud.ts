// Lists dbt Cloud jobs again until they are loaded, as a person would press Retry on the view's
// error (a read, safe to repeat). Right after an account switch on a loaded machine, the first
// listing can fail while the new session's service token is obtained; the view then shows the
// error with Retry. Fails with the last error when the jobs do not load within the time.
export interface DbtCloudJobsSeam {
  state: { kind: string; error?: { reason?: string; message?: string } };
  refresh(): Promise<void>;
}

export async function jobsLoaded(cloud: DbtCloudJobsSeam, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await cloud.refresh();
    if (cloud.state.kind === 'loaded') return;
    if (Date.now() > deadline) throw new Error(`dbt Cloud jobs did not load: ${cloud.state.kind} ${cloud.state.error?.reason ?? ''} ${cloud.state.error?.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
