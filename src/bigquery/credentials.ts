// Google credentials for BigQuery, derived from the Gatehouse sign-in by identity federation:
// the IdP's id token is the STS subject token (workforce pool → BigQuery sees the person; a
// workload pool plus service-account impersonation → BigQuery sees the service account).
// google-auth-library caches the STS/impersonated access token until shortly before expiry; the
// id token comes from the token broker's cache, so a query with a live session makes no round trip
// to the IdP or STS. Application Default Credentials only when the user opted in.
import type { AuthClient, GoogleAuth } from 'google-auth-library';
import { googleSdk } from './googleSdk';
import { BigQueryError } from './errors';
import { checkedServiceUrl } from '../core/serviceUrl';
import type { CredentialOrigin } from '../audit/auditTrail';

export const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

export interface FederationConfig {
  /** `//iam.googleapis.com/locations/global/workforcePools/POOL/providers/P` or a workload pool provider. */
  audience: string;
  stsUrl?: string;
  workforcePoolUserProject?: string;
  serviceAccountImpersonationUrl?: string;
  useApplicationDefaultCredentials?: boolean;
}

/** Where the id token comes from: the token broker of the signed-in session (cached there). */
export interface IdTokenSource {
  getIdToken(signal?: AbortSignal): Promise<string>;
}

/** google-auth-library gives the supplier no signal; a hung IdP must not hang every query. */
const ID_TOKEN_TIMEOUT_MS = 60_000;

export interface GoogleCredentials {
  authClient: AuthClient | GoogleAuth;
  origin: CredentialOrigin;
}

/** A federation exchange that minted new Google credentials (what the audit trail records; never the token). */
export interface MintedCredentials {
  origin: CredentialOrigin;
  /** The workforce or workload pool provider the id token was exchanged at. */
  audience: string;
  /** The service account impersonated, when one was. */
  serviceAccount?: string;
}

export function createGoogleCredentials(config: FederationConfig, idTokens: IdTokenSource, onMinted?: (minted: MintedCredentials) => void): GoogleCredentials {
  // Only on an explicit opt-in: a missing federation setting never falls back to whatever gcloud
  // credentials happen to be on the machine.
  if (config.useApplicationDefaultCredentials) {
    return { authClient: new (googleSdk().GoogleAuth)({ scopes: [BIGQUERY_SCOPE], clientOptions: { transporterOptions: { redirect: 'error' } } }), origin: 'application-default-credentials' };
  }
  if (!config.audience) {
    throw new BigQueryError(
      'notConfigured',
      'BigQuery federation is not configured: gatehouse.bigquery.federationAudience is empty.',
    );
  }
  // The id token goes to the token service, Google's access token to the impersonation endpoint.
  const stsUrl = config.stsUrl ? federationUrl(config.stsUrl, 'gatehouse.bigquery.stsUrl') : 'https://sts.googleapis.com/v1/token';
  const impersonationUrl = config.serviceAccountImpersonationUrl && federationUrl(config.serviceAccountImpersonationUrl, 'gatehouse.bigquery.serviceAccountImpersonationUrl');
  const isWorkforce = /\/workforcePools\//.test(config.audience);
  const authClient = new (googleSdk().IdentityPoolClient)({
    type: 'external_account',
    audience: config.audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    subject_token_supplier: { getSubjectToken: () => idTokens.getIdToken(AbortSignal.timeout(ID_TOKEN_TIMEOUT_MS)) },
    token_url: stsUrl,
    scopes: [BIGQUERY_SCOPE],
    ...(isWorkforce && config.workforcePoolUserProject ? { workforce_pool_user_project: config.workforcePoolUserProject } : {}),
    ...(impersonationUrl ? { service_account_impersonation_url: impersonationUrl } : {}),
    // Refresh a little before expiry so a long query never starts with a token about to lapse.
    eagerRefreshThresholdMillis: 2 * 60 * 1000,
    // The exchange posts the id token and impersonation sends the federated token: a redirect
    // would carry them to wherever it points, so one is an error.
    transporterOptions: { redirect: 'error' },
  });
  sendExchangeThroughClientTransport(authClient);
  const origin: CredentialOrigin = impersonationUrl ? 'google-impersonation' : 'google-federation';
  // google-auth-library announces each exchange that mints a token with a 'tokens' event; the event's token is not read.
  const serviceAccount = impersonationUrl ? /\/serviceAccounts\/([^/:]+)/.exec(impersonationUrl)?.[1] : undefined;
  if (onMinted) authClient.on('tokens', () => onMinted({ origin, audience: config.audience, serviceAccount: serviceAccount && decodeURIComponent(serviceAccount) }));
  return { authClient, origin };
}

/** A federation endpoint that tokens are sent to: https, or http to this machine only. */
function federationUrl(raw: string, setting: string): string {
  checkedServiceUrl(raw, setting, (e) => new BigQueryError('notConfigured', `${e.message} ${e.nextStep}`, undefined, undefined, { cause: e }));
  return raw;
}

/**
 * google-auth-library 10 builds the STS exchange its own transport, which no option reaches and
 * which follows redirects with the id token in the body: the exchange goes through the client's
 * transport (redirects refused) instead. A library change that moves the field is caught by the
 * redirect tests (test/unit/bigquery/transport.test.ts).
 */
function sendExchangeThroughClientTransport(client: AuthClient): void {
  const sts = (client as unknown as { stsCredential?: { transporter?: unknown } }).stsCredential;
  if (sts && 'transporter' in sts) sts.transporter = client.transporter;
}
