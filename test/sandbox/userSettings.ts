// The VS Code user settings that point Gatehouse at a running sandbox. Connection settings are
// machine-scoped, so the demo and the integration tests put them in the (throwaway) user
// settings, never in the workspace. `npm run sandbox` prints them in its ready line.
import { AUDIENCES, EXTENSION_CLIENT_ID, GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from './constants';
import { AIRBYTE_API_PREFIX } from './airbyte';
import { DBT_CLOUD_ACCOUNT } from './dbt-cloud';
import { LOOKER_OAUTH_CLIENT_GUID, LOOKER_OAUTH_REDIRECT_PORT } from './looker/oauth';
import type { SandboxUrls } from './sandbox';

/** Services the demo can reach either way: through the identity-aware proxy or at their own API. */
export const PROXY_OR_DIRECT = ['airbyte', 'dbtCloud', 'metabase'] as const;
export type ProxyOrDirect = (typeof PROXY_OR_DIRECT)[number];

export interface SandboxSettingsOptions {
  /**
   * Services reached at their own API with their per-person credential (Airbyte application,
   * dbt Cloud personal token, Metabase session: entered in VS Code). The others go through their
   * identity-aware proxy with the sign-in's token, so one sign-in shows everything.
   */
  direct?: readonly ProxyOrDirect[];
}

export function sandboxUserSettings(urls: SandboxUrls, opts: SandboxSettingsOptions = {}): Record<string, unknown> {
  const direct = new Set(opts.direct ?? []);
  const service = (name: ProxyOrDirect, url: string, proxyUrl: string, perPerson: string) =>
    direct.has(name)
      ? { [`gatehouse.${name}.baseUrl`]: url, [`gatehouse.${name}.credential`]: perPerson }
      : { [`gatehouse.${name}.baseUrl`]: proxyUrl, [`gatehouse.${name}.credential`]: 'proxy', [`gatehouse.${name}.audience`]: AUDIENCES[name] };
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
    ...service('airbyte', `${urls.airbyte}${AIRBYTE_API_PREFIX}`, `${urls.airbyteProxy}${AIRBYTE_API_PREFIX}`, 'application'),
    ...service('dbtCloud', urls.dbtCloud, urls.dbtCloudProxy, 'personalToken'),
    'gatehouse.dbtCloud.accountId': String(DBT_CLOUD_ACCOUNT.id),
    'gatehouse.looker.baseUrl': urls.looker,
    // Looker's own per-person path: its OAuth sign-in, which its SSO hands to the sandbox IdP (with
    // the IdP's browser session from signing in to Gatehouse, one click). For the proxy path set
    // credential 'proxy', baseUrl to urls.lookerProxy and audience AUDIENCES.looker.
    'gatehouse.looker.credential': 'oauth',
    'gatehouse.looker.oauthClientId': LOOKER_OAUTH_CLIENT_GUID,
    'gatehouse.looker.oauthRedirectPort': LOOKER_OAUTH_REDIRECT_PORT,
    ...service('metabase', urls.metabase, urls.metabaseProxy, 'session'),
  };
}
