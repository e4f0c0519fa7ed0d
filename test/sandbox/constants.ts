// Fixed identifiers the sandbox and the demo workspace settings share.

/** OAuth client the extension uses at the sandbox IdP (public client, PKCE). */
export const EXTENSION_CLIENT_ID = 'gatehouse-vscode';

/** Looker's single sign-on at the sandbox IdP: the Looker instance is a confidential OIDC client. */
export const LOOKER_SSO_CLIENT_ID = 'sandbox-looker-sso';
export const LOOKER_SSO_CLIENT_SECRET = 'sandbox-looker-sso-secret';

/** Resource indicators (RFC 8707) / token-exchange audiences of the per-service APIs. */
export const AUDIENCES = {
  airbyte: 'https://airbyte.sandbox.gatehouse.test',
  dbtCloud: 'https://dbt-cloud.sandbox.gatehouse.test',
  looker: 'https://looker.sandbox.gatehouse.test',
  metabase: 'https://metabase.sandbox.gatehouse.test',
} as const;
export type ServiceAudience = (typeof AUDIENCES)[keyof typeof AUDIENCES];

/** Workforce identity federation pool/provider the fake STS accepts the IdP's id tokens for. */
export const GOOGLE_WORKFORCE_AUDIENCE =
  '//iam.googleapis.com/locations/global/workforcePools/gatehouse-sandbox/providers/sandbox-idp';
export const GOOGLE_WORKFORCE_USER_PROJECT = '123456789012';

/** BigQuery projects in the sandbox. */
export const BIGQUERY_PROJECTS = ['gatehouse-demo', 'gatehouse-finance'] as const;
