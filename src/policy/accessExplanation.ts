// "Explain access": the identity chain from the IdP sign-in to the credential each service sees,
// what Gatehouse grants and why, and what a service reported missing. Built from settings and
// claims only (never a token), rendered as plain text so nothing a service returned can act.
import { ACTIONS, ACTION_ROLES, capabilityTitle, askLine, type Action } from './roles';
import { t, translatedEntry } from '../core/l10n';

export interface PersonFacts {
  label: string;
  subject: string;
  issuer: string;
  groups: readonly string[];
  rolesClaim: readonly string[];
}

export interface CapabilityFacts {
  action: Action;
  granted: boolean;
  groups: readonly string[];
}

export interface ServiceChain {
  service: string;
  lines: string[];
}

export interface ExplainInput {
  person?: PersonFacts;
  roles: readonly string[];
  capabilities: readonly CapabilityFacts[];
  services: readonly ServiceChain[];
  contact?: string;
  /** When opened from a refusal: the service, what was asked, and what the service said was missing. */
  refusal?: Refusal;
  /** The resource asked about (a tree item, or the one a refusal named) and what its service reports. */
  resource?: ResourceAccess;
}

export interface Refusal {
  service: string;
  what: string;
  /** Gatehouse's words for what is missing, when known. */
  missing?: string;
  /** What the service itself answered (its error body, as text: shown, never obeyed). */
  reported?: string;
}

/** One permission check a service answered, e.g. BigQuery tables.testIamPermissions. */
export interface PermissionCheck {
  /** What was checked, e.g. `table gatehouse-demo:raw.payments`. */
  resource: string;
  /** The API that answered, e.g. `BigQuery tables.testIamPermissions`. */
  via: string;
  /** Every permission asked, in order; `granted` is the subset the service said the caller has. */
  asked: readonly string[];
  granted: readonly string[];
  /** The check itself failed: why (our words). */
  failed?: string;
}

export interface ResourceAccess {
  service: string;
  /** e.g. `table gatehouse-demo:analytics.orders`, `connection "Stripe → BigQuery raw"`. */
  resource: string;
  checks?: readonly PermissionCheck[];
  notes?: readonly string[];
}

/**
 * Finds what a service says about a tree item or a refusal's target. Each feature adds one for its
 * own items; the target is whatever a menu or a notification passed, so every explainer checks its
 * shape and answers undefined for anything it does not know.
 */
export type ResourceExplainer = (target: unknown, signal: AbortSignal) => Promise<ResourceAccess | undefined> | ResourceAccess | undefined;

export class ResourceExplainers {
  private readonly explainers = new Set<ResourceExplainer>();

  add(explainer: ResourceExplainer): { dispose(): void } {
    this.explainers.add(explainer);
    return { dispose: () => void this.explainers.delete(explainer) };
  }

  /** The first explainer's answer; one that throws is passed over (the explanation goes on without it). */
  async explain(target: unknown, signal: AbortSignal): Promise<ResourceAccess | undefined> {
    if (target === undefined || target === null) return undefined;
    for (const explainer of this.explainers) {
      try {
        const found = await explainer(target, signal);
        if (found) return found;
      } catch {
        // An explainer failing (network, signed out) leaves the rest of the explanation intact.
      }
    }
    return undefined;
  }
}

export interface BigQueryChainSettings {
  audience?: string;
  impersonationUrl?: string;
  useApplicationDefaultCredentials: boolean;
}

/** `//iam.googleapis.com/locations/global/workforcePools/P/providers/X` -> the principal of `subject` in pool P. */
export function federatedPrincipal(audience: string, subject: string): string | undefined {
  const m = /^\/\/iam\.googleapis\.com\/(locations\/[^/]+\/workforcePools\/[^/]+)\/providers\/[^/]+$/.exec(audience) ?? /^\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\/providers\/[^/]+$/.exec(audience);
  return m ? `principal://iam.googleapis.com/${m[1]}/subject/${subject}` : undefined;
}

export function bigQueryChain(s: BigQueryChainSettings, subject: string | undefined): ServiceChain {
  const lines: string[] = [];
  if (s.useApplicationDefaultCredentials) {
    lines.push(t('Credential: gcloud Application Default Credentials on this machine (not your Gatehouse sign-in).'));
  } else if (!s.audience) {
    lines.push(t('Not configured: gatehouse.bigquery.federationAudience is empty.'));
  } else {
    lines.push(t('Your id token is exchanged at Google STS for audience {0}.', s.audience));
    const principal = subject ? federatedPrincipal(s.audience, subject) : undefined;
    lines.push(principal ? t('BigQuery sees the federated principal {0}.', principal) : t('BigQuery sees the federated principal of your subject in that pool.'));
    if (s.impersonationUrl) lines.push(t('That principal then impersonates a service account ({0}); BigQuery sees the service account.', s.impersonationUrl));
    lines.push(t('Grants in BigQuery (dataset access, IAM roles) must name that principal, or a group it belongs to.'));
  }
  return { service: 'BigQuery', lines };
}

const TOKEN_MODES: Record<string, string> = {
  resourceIndicators: 'an access token your identity provider issues for that audience (RFC 8707 resource indicator)',
  tokenExchange: 'an access token exchanged for that audience at your identity provider (RFC 8693)',
  sessionToken: 'your sign-in access token itself',
};

const OWN_CREDENTIALS: Record<string, string> = {
  'dbt Cloud': 'the personal token you entered (it acts as the person it belongs to)',
  Airbyte: 'the application client credentials you entered (they act as the application)',
  Looker: 'the API3 keys you entered (they act as the Looker user they belong to)',
  Metabase: 'a session opened with your Metabase password, or an API key (which acts as its group)',
};

export function tokenChain(service: string, s: { baseUrl?: string; audience?: string }, serviceTokens: string): ServiceChain {
  if (!s.baseUrl) return { service, lines: [t('Not configured.')] };
  if (!s.audience) {
    const own = translatedEntry(OWN_CREDENTIALS, service) ?? t("the service's own credentials");
    return { service, lines: [t('{0} at {1} sees {2}, not your sign-in.', service, s.baseUrl, own)] };
  }
  return {
    service,
    lines: [t('{0} at {1} sees {2}, audience {3}; its subject is your IdP subject.', service, s.baseUrl, t(TOKEN_MODES[serviceTokens] ?? TOKEN_MODES.resourceIndicators), s.audience)],
  };
}

/** Plain text: hostile strings (group names, resource names) stay text. Control characters are dropped. */
export function renderExplanation(e: ExplainInput): string {
  const clean = (v: string) => v.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, 500);
  const out: string[] = [t('Gatehouse: explain access'), ''];
  if (e.refusal) {
    out.push(t('Refused: {0} — {1}', clean(e.refusal.service), clean(e.refusal.what)));
    if (e.refusal.missing) out.push(t('{0} reported missing: {1}', clean(e.refusal.service), clean(e.refusal.missing)));
    if (e.refusal.reported) out.push(t('{0} answered (its words, as text): {1}', clean(e.refusal.service), clean(e.refusal.reported)));
    out.push('');
  }
  if (e.resource) {
    out.push(t('Resource: {0} {1}', clean(e.resource.service), clean(e.resource.resource)));
    for (const c of e.resource.checks ?? []) {
      out.push(`   ${t('{0}, as {1} answered:', clean(c.resource), clean(c.via))}`);
      if (c.failed) {
        out.push(`     ${t('could not be checked: {0}', clean(c.failed))}`);
        continue;
      }
      const granted = new Set(c.granted);
      for (const p of c.asked) out.push(`     [${granted.has(p) ? t('granted') : t('missing')}] ${clean(p)}`);
    }
    for (const n of e.resource.notes ?? []) out.push(`   ${clean(n)}`);
    out.push('');
  }
  out.push(t('1. You at your identity provider'));
  if (!e.person) {
    out.push(`   ${t('Not signed in: nothing is offered and no service is called.')}`, '');
  } else {
    out.push(`   ${t('{0} (subject {1}) at {2}', clean(e.person.label), clean(e.person.subject), clean(e.person.issuer))}`);
    out.push(`   ${e.person.groups.length ? t('Groups: {0}', e.person.groups.map(clean).join(', ')) : t('Groups: none in your sign-in')}`);
    if (e.person.rolesClaim.length) out.push(`   ${t('Roles claim: {0}', e.person.rolesClaim.map(clean).join(', '))}`);
    out.push('');
  }
  out.push(t('2. What Gatehouse grants you (gatehouse.roles.mapping on this machine)'));
  out.push(`   ${e.roles.length ? t('Roles: {0}', e.roles.join(', ')) : t('Roles: none')}`);
  for (const c of e.capabilities) {
    const needed = ACTION_ROLES[c.action];
    const via = needed === 'anyone' ? t('open to everyone signed in') : c.groups.length ? t('granted to {0}', c.groups.map(clean).join(', ')) : t('granted to no group');
    out.push(`   [${(c.granted ? t('yes') : t('no')).padEnd(3)}] ${capabilityTitle(c.action)} — ${via}`);
  }
  out.push(`   ${askLine(e.contact)}`, '');
  out.push(t('3. The credential each service sees'));
  for (const s of e.services) {
    out.push(`   ${s.service}`);
    for (const l of s.lines) out.push(`     ${clean(l)}`);
  }
  out.push('', t('Gatehouse only decides what it offers; each service decides what it allows. A refusal from a service is fixed in that service, for the principal shown above.'));
  return `${out.join('\n')}\n`;
}

export function capabilityFacts(can: (a: Action) => boolean, groupsFor: (a: Action) => readonly string[]): CapabilityFacts[] {
  return ACTIONS.map((action) => ({ action, granted: can(action), groups: groupsFor(action) }));
}
