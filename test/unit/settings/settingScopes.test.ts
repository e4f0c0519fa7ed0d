// Settings that decide where data goes, who is asked, what a query may cost or how an export is
// sanitised must not come from a workspace someone else wrote: each is machine scoped (user or
// remote settings only) or listed in capabilities.untrustedWorkspaces.restrictedConfigurations
// (VS Code ignores the workspace's value until the workspace is trusted). Every setting is
// classified below, so a new one fails here until someone decides which kind it is.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/shared';

interface SettingSchema {
  scope?: string;
  type?: string;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } | { properties: Record<string, SettingSchema> }[] };
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
};

/** Changes where data or credentials go, what runs, what it costs, or how output is sanitised. */
const SECURITY_RELEVANT = new Set([
  'gatehouse.auth.issuer',
  'gatehouse.auth.clientId',
  'gatehouse.auth.scopes',
  'gatehouse.auth.groupsClaim',
  'gatehouse.auth.flow',
  'gatehouse.auth.serviceTokens',
  'gatehouse.auth.audience',
  'gatehouse.auth.switchAccountPrompt',
  'gatehouse.bigquery.billingProject',
  'gatehouse.bigquery.location',
  'gatehouse.bigquery.apiEndpoint',
  'gatehouse.bigquery.resourceManagerEndpoint',
  'gatehouse.bigquery.federationAudience',
  'gatehouse.bigquery.workforcePoolUserProject',
  'gatehouse.bigquery.stsUrl',
  'gatehouse.bigquery.serviceAccountImpersonationUrl',
  'gatehouse.bigquery.useApplicationDefaultCredentials',
  'gatehouse.bigquery.maximumBytesBilled',
  'gatehouse.bigquery.confirmAboveBytes',
  'gatehouse.dbt.executablePath',
  'gatehouse.dbtCloud.baseUrl',
  'gatehouse.dbtCloud.accountId',
  'gatehouse.dbtCloud.audience',
  'gatehouse.dbtCloud.credential',
  'gatehouse.dbtCloud.projectId',
  'gatehouse.airbyte.baseUrl',
  'gatehouse.airbyte.audience',
  'gatehouse.airbyte.credential',
  'gatehouse.looker.baseUrl',
  'gatehouse.looker.audience',
  'gatehouse.looker.credential',
  'gatehouse.looker.oauthClientId',
  'gatehouse.looker.oauthRedirectPort',
  'gatehouse.metabase.baseUrl',
  'gatehouse.metabase.audience',
  'gatehouse.metabase.credential',
  'gatehouse.http.maxResponseMiB',
  'gatehouse.results.escapeFormulasInCsv',
  'gatehouse.roles.mapping',
  'gatehouse.policy.accessRequest',
  'gatehouse.audit.sharedMachine',
  'gatehouse.audit.otlp.endpoint',
  'gatehouse.audit.otlp.serviceName',
]);

/** Presentation only: a workspace may set these. */
const PRESENTATION = new Set(['gatehouse.dbt.treeGrouping', 'gatehouse.results.panelMode', 'gatehouse.results.pageSize']);

function properties(): Record<string, SettingSchema> {
  const c = pkg.contributes.configuration;
  return Object.assign({}, ...(Array.isArray(c) ? c : [c]).map((s) => s.properties));
}

/** A workspace can set it: window and resource (the default when no scope is given) and language-overridable. */
const workspaceSettable = (s: SettingSchema) => !['machine', 'application'].includes(s.scope ?? 'window');

describe('setting scopes', () => {
  const settings = properties();
  const restricted = new Set(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? []);

  it('classifies every contributed setting', () => {
    const unclassified = Object.keys(settings).filter((k) => !SECURITY_RELEVANT.has(k) && !PRESENTATION.has(k));
    assert.deepEqual(unclassified, [], 'decide whether these change where data goes, cost or sanitisation');
    const gone = [...SECURITY_RELEVANT, ...PRESENTATION].filter((k) => !(k in settings));
    assert.deepEqual(gone, [], 'listed here but no longer contributed');
  });

  it('keeps every security-relevant setting out of reach of an untrusted workspace', () => {
    const open = [...SECURITY_RELEVANT].filter((k) => settings[k] && workspaceSettable(settings[k]) && !restricted.has(k));
    assert.deepEqual(open, [], 'make these machine scoped or add them to restrictedConfigurations');
  });

  it('restricts only settings that exist', () => {
    assert.deepEqual([...restricted].filter((k) => !(k in settings)), []);
  });

  it('caps responses by a machine-scoped setting', () => {
    const s = settings['gatehouse.http.maxResponseMiB'] as SettingSchema & { default?: unknown; minimum?: unknown };
    assert.equal(s.scope, 'machine');
    assert.equal(s.default, 64);
    assert.equal(s.minimum, 1);
  });
});
