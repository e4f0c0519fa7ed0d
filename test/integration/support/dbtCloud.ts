// Lists dbt Cloud jobs once, as the view does when a person signs in or switches accounts, and
// fails naming the error the view would show. (A listing right after an account switch used to
// join the previous person's token request and fail with "signed out meanwhile"; the token broker
// and session manager now share a request only within one session.)
export interface DbtCloudJobsSeam {
  state: { kind: string; error?: { reason?: string; message?: string } };
  refresh(): Promise<void>;
}

export async function jobsLoaded(cloud: DbtCloudJobsSeam): Promise<void> {
  await cloud.refresh();
  if (cloud.state.kind !== 'loaded') throw new Error(`dbt Cloud jobs did not load: ${cloud.state.kind} ${cloud.state.error?.reason ?? ''} ${cloud.state.error?.message ?? ''}`);
}
