// The VS Code user settings that point Gatehouse at a running sandbox. Connection settings are
// machine-scoped, so the demo and the integration tests put them in the (throwaway) user
// settings, never in the workspace. `npm run sandbox` prints them in its ready line.
import { AUDIENCES, EXTENSION_CLIENT_ID, GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from './constants';
import { AIRBYTE_API_PREFIX } from './airbyte';
import { DBT_CLOUD_ACCOUNT } from './dbt-cloud';
import type { SandboxUrls } from './sandbox';

export function sandboxUserSettings(urls: SandboxUrls): Record<string, unknown> {
  return {
    'gatehouse.auth.issuer': urls.issuer,
    'gatehouse.auth.clientId': EXTENSION_CLIENT_ID,
    'gatehouse.auth.scopes': ['openid', 'profile', 'email', 'offline_access', 'groups'],
    // Browser and extension host are on the same machine in the demo and tests.
    'gatehouse.auth.flow': 'loopback',
    'gatehouse.bigquery.apiEndpoint': urls.bigquery,
    // The sandbox's BigQuery also answers Cloud Resource Manager's projects.testIamPermissions.
    'gatehouse.bigquery.resourceManagerEndpoint': urls.bigquery,
    'gatehouse.bigquery.stsUrl': `${urls.sts}/v1/token`,
    'gatehouse.bigquery.federationAudience': GOOGLE_WORKFORCE_AUDIENCE,
    'gatehouse.bigquery.workforcePoolUserProject': GOOGLE_WORKFORCE_USER_PROJECT,
    'gatehouse.bigquery.billingProject': 'gatehouse-demo',
    'gatehouse.airbyte.baseUrl': `${urls.airbyte}${AIRBYTE_API_PREFIX}`,
    'gatehouse.airbyte.audience': AUDIENCES.airbyte,
    'gatehouse.dbtCloud.baseUrl': urls.dbtCloud,
    'gatehouse.dbtCloud.accountId': String(DBT_CLOUD_ACCOUNT.id),
    'gatehouse.dbtCloud.audience': AUDIENCES.dbtCloud,
    'gatehouse.looker.baseUrl': urls.looker,
    'gatehouse.looker.audience': AUDIENCES.looker,
    'gatehouse.metabase.baseUrl': urls.metabase,
    'gatehouse.metabase.audience': AUDIENCES.metabase,
  };
}
