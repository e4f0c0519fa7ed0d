// What every feature module (BigQuery, dbt, Airbyte, Looker, Metabase, results) receives from the
// composition root. Plain values passed in: no service locator.
import type * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import type { DisposableStore } from '../core/disposable';
import type { AuditTrail } from '../audit/auditTrail';
import type { AuthModule } from '../auth/vscode/authModule';
import type { RoleModel } from '../policy/roleModel';
import type { ResourceExplainers } from '../policy/accessExplanation';
import type { ServiceIdentities } from '../audit/serviceIdentity';

export interface ModuleDeps {
  context: vscode.ExtensionContext;
  logger: Logger;
  secrets: SecretRegistry;
  /** Cleared on sign-out: anything holding a session's clients or caches registers here. */
  sessionScope: DisposableStore;
  audit: AuditTrail;
  auth: AuthModule;
  roles: RoleModel;
  /** Where a feature adds what its service says about its tree items and refused resources (Explain Access). */
  explainers: ResourceExplainers;
  /** Who each service sees: modules register their credential, Show Identity and the views read it. */
  identities: ServiceIdentities;
}

/** A feature module: disposable, with an optional test-only surface (exports in ExtensionMode.Test). */
export interface FeatureModule extends vscode.Disposable {
  readonly testing?: Record<string, unknown>;
}
