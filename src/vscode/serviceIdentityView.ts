// A service view's identity line: who the service sees, as the view's description ("As
// alice@example.com · your Looker account via Looker sign-in"; "Shared identity: group API key: …").
// The words come from ServiceIdentities, the same as Show Identity and the audit trail.
import type * as vscode from 'vscode';
import type { AuditService } from '../audit/credentialOrigin';
import { identityLine } from '../audit/credentialText';
import type { ServiceIdentities } from '../audit/serviceIdentity';
import { plain } from '../core/displayText';

export interface ServiceIdentityView extends vscode.Disposable {
  /** The connection changed: forget what the service reported, show the new credential, ask again while visible. */
  refresh(): void;
}

export function showServiceIdentity(
  view: vscode.TreeView<unknown>,
  identities: ServiceIdentities,
  service: AuditService,
  /** The signed-in person's label; undefined while signed out (the line is then empty). */
  who: () => string | undefined,
): ServiceIdentityView {
  const update = () => {
    const person = who();
    const d = person ? identities.describe(service) : undefined;
    view.description = d ? plain(identityLine(person, d)) : undefined;
  };
  const lookUp = () => {
    if (view.visible && who() && identities.describe(service)) void identities.lookUp(service);
  };
  const subscriptions = [
    identities.onDidChange((s) => s === service && update()),
    view.onDidChangeVisibility(() => lookUp()),
  ];
  update();
  return {
    refresh: () => {
      identities.forget(service);
      lookUp();
    },
    dispose: () => {
      for (const s of subscriptions) s.dispose();
    },
  };
}
