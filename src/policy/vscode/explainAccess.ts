// "Explain Access" (any tree item, the palette, or a refusal): opens the identity chain as a
// read-only plain-text document beside the editor. Plain text, not a webview: group and resource
// names come from the IdP and the services, and text cannot run.
import * as vscode from 'vscode';
import { plain } from '../../core/displayText';
import { bigQueryChain, capabilityFacts, renderExplanation, tokenChain, type Refusal, type ResourceAccess, type ResourceExplainers } from '../accessExplanation';
import type { RoleModel } from '../roleModel';
import { readAccessPolicy } from './policyContext';
import { credentialMode } from '../../auth/credentialModes';

const SCHEME = 'gatehouse-access';

export interface ExplainAccessDeps {
  roles: RoleModel;
  identity: () => { label: string; subject: string; issuer: string; groups: readonly string[]; roles?: readonly string[] } | undefined;
  /** What each feature's service says about a tree item or a refused resource (BigQuery: testIamPermissions). */
  explainers?: ResourceExplainers;
}

/** A refusal as a notification passes it: what was refused, and `target`, the resource for the explainers. */
function isRefusal(v: unknown): v is Refusal & { target?: unknown } {
  const r = v as Record<string, unknown> | undefined;
  const optionalText = (x: unknown) => x === undefined || typeof x === 'string';
  return !!r && typeof r.service === 'string' && typeof r.what === 'string' && optionalText(r.missing) && optionalText(r.reported);
}

function text(section: string, key: string): string | undefined {
  const v = vscode.workspace.getConfiguration(section).get<unknown>(key);
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function explainAccessText(deps: ExplainAccessDeps, refusal?: Refusal, resource?: ResourceAccess): string {
  const id = deps.identity();
  const policy = readAccessPolicy();
  const serviceTokens = text('gatehouse.auth', 'serviceTokens') ?? 'resourceIndicators';
  const services = [
    bigQueryChain(
      {
        audience: text('gatehouse.bigquery', 'federationAudience'),
        impersonationUrl: text('gatehouse.bigquery', 'serviceAccountImpersonationUrl'),
        useApplicationDefaultCredentials: vscode.workspace.getConfiguration('gatehouse.bigquery').get('useApplicationDefaultCredentials') === true,
      },
      id?.subject,
    ),
    ...(
      [
        ['dbt Cloud', 'dbtCloud'],
        ['Airbyte', 'airbyte'],
        ['Looker', 'looker'],
        ['Metabase', 'metabase'],
      ] as const
    ).map(([name, key]) => {
      const audience = text(`gatehouse.${key}`, 'audience');
      // The IdP token is sent only in proxy mode (gatehouse.<service>.credential); Looker still decides by audience.
      const c = vscode.workspace.getConfiguration(`gatehouse.${key}`);
      const value = c.get<unknown>('credential');
      const inspected = c.inspect<unknown>('credential');
      const explicit = inspected?.globalValue !== undefined || value !== inspected?.defaultValue ? value : undefined;
      const proxied = key === 'looker' || credentialMode(key, explicit, audience) === 'proxy';
      return tokenChain(name, { baseUrl: text(`gatehouse.${key}`, 'baseUrl'), audience: proxied ? audience : undefined }, serviceTokens);
    }),
  ];
  return renderExplanation({
    person: id && { label: plain(id.label), subject: id.subject, issuer: id.issuer, groups: id.groups, rolesClaim: id.roles ?? [] },
    roles: [...deps.roles.roles],
    capabilities: capabilityFacts((a) => deps.roles.can(a), (a) => deps.roles.hint(a).groups),
    services,
    contact: policy.accessRequest,
    refusal: refusal && { service: refusal.service, what: refusal.what, missing: refusal.missing, reported: refusal.reported },
    resource,
  });
}

export function registerExplainAccess(deps: ExplainAccessDeps): vscode.Disposable {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const docs = new Map<string, string>();
  let counter = 0;
  const provider: vscode.TextDocumentContentProvider = { onDidChange: changed.event, provideTextDocumentContent: (uri) => docs.get(uri.path) ?? '' };
  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    // The first argument is the tree item a menu passes; the second, when a refusal opens it, what
    // was refused and on which resource. The feature that owns the item says what its service
    // reports about it (for BigQuery, testIamPermissions); the chain itself is the person's.
    vscode.commands.registerCommand('gatehouse.policy.explainAccess', async (node?: unknown, refusal?: unknown) => {
      const refused = isRefusal(refusal) ? refusal : undefined;
      const resource = await deps.explainers?.explain(refused?.target ?? node, AbortSignal.timeout(20_000));
      const body = explainAccessText(deps, refused, resource);
      // One document per opening, so an earlier explanation is not rewritten under the reader.
      const path = `/Explain access ${++counter}.txt`;
      docs.set(path, body);
      if (docs.size > 20) docs.delete(docs.keys().next().value!);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path }));
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return body;
    }),
  );
}
