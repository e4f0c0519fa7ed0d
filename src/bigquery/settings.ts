// The gatehouse.bigquery.* settings as one typed value, read through a getter so the VS Code side
// passes `configuration.get` and tests pass a table.
import type { FederationConfig } from './credentials';
import type { CostSettings } from './queryRunner';

export interface BigQuerySettings {
  federation: FederationConfig;
  billingProject: string;
  location: string;
  apiEndpoint: string;
  /** Cloud Resource Manager (projects.testIamPermissions for Explain Access); empty: Google's. */
  resourceManagerEndpoint: string;
  cost: CostSettings;
}

export type SettingReader = <T>(key: string, fallback: T) => T;

export const BIGQUERY_SECTION = 'gatehouse.bigquery';

export function readBigQuerySettings(get: SettingReader): BigQuerySettings {
  const text = (key: string) => {
    const v = get<unknown>(key, '');
    return typeof v === 'string' ? v.trim() : '';
  };
  const bytes = (key: string, fallback: number) => {
    const v = Number(get<unknown>(key, fallback));
    return Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
  };
  return {
    federation: {
      audience: text('federationAudience'),
      stsUrl: text('stsUrl') || undefined,
      workforcePoolUserProject: text('workforcePoolUserProject') || undefined,
      serviceAccountImpersonationUrl: text('serviceAccountImpersonationUrl') || undefined,
      useApplicationDefaultCredentials: get<unknown>('useApplicationDefaultCredentials', false) === true,
    },
    billingProject: text('billingProject'),
    location: text('location') || 'US',
    apiEndpoint: text('apiEndpoint'),
    resourceManagerEndpoint: text('resourceManagerEndpoint'),
    cost: { maximumBytesBilled: bytes('maximumBytesBilled', 0), confirmAboveBytes: bytes('confirmAboveBytes', 10 * 1024 ** 3) },
  };
}

/** Settings whose change needs a new client (credentials, endpoint, project); cost settings do not. */
export function connectionKey(s: BigQuerySettings): string {
  return JSON.stringify([s.federation, s.billingProject, s.location, s.apiEndpoint, s.resourceManagerEndpoint]);
}
