// Which service a call went to and where its credential came from, as codes: the audit record's
// fields and the input of the credential's words (credentialText.ts).

export type AuditService = 'bigquery' | 'dbt' | 'dbtCloud' | 'airbyte' | 'looker' | 'metabase' | 'auth' | 'audit';

/** Where the credential used for the call came from (never the credential itself). */
export type CredentialOrigin =
  | 'idp-id-token'
  | 'idp-access-token'
  | 'resource-indicator'
  | 'token-exchange'
  | 'google-federation'
  | 'google-impersonation'
  | 'application-default-credentials'
  | 'personal-token'
  | 'application-credentials'
  /** A service session opened with the person's own username and password (Metabase). */
  | 'password-session'
  /** A service API key: it acts as the group it belongs to, not as the person. */
  | 'api-key'
  /** The person's own account at the service, by the service's OAuth sign-in (Looker: code + PKCE). */
  | 'service-oauth'
  /** A service token (dbt Cloud): an account-level credential shared by whoever holds it. */
  | 'service-token'
  /** The sign-in's token for the service's audience, validated by an identity-aware proxy in front of it. */
  | 'identity-proxy'
  | 'local-cli';
