// The connection settings every HTTP service shares (gatehouse.<service>.baseUrl, .audience and
// .credential), read the same way everywhere: trimmed, and empty meaning "not set".
import * as vscode from 'vscode';

export interface ConnectionSettings {
  baseUrl?: string;
  /** IdP audience for the service's access token in `proxy` mode. */
  audience?: string;
  /** gatehouse.<service>.credential when the person set it, else undefined (see auth/credentialModes). */
  credential?: string;
}

/** A setting's value when it was set explicitly (user or remote settings), else undefined. */
export function explicitSetting(c: vscode.WorkspaceConfiguration, key: string): string | undefined {
  const value = c.get<unknown>(key);
  const inspected = c.inspect<unknown>(key);
  // Machine-scoped: get() ignores workspace values, so a value differing from the default was set by the person.
  if (typeof value !== 'string') return undefined;
  return inspected?.globalValue !== undefined || value !== inspected?.defaultValue ? value : undefined;
}

export function readConnectionSettings(service: 'airbyte' | 'looker' | 'metabase' | 'dbtCloud'): ConnectionSettings {
  const c = vscode.workspace.getConfiguration(`gatehouse.${service}`);
  const text = (key: string) => {
    const v = c.get<string>(key);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  return { baseUrl: text('baseUrl'), audience: text('audience'), credential: explicitSetting(c, 'credential') };
}

export type ConnectionChange =
  | { kind: 'settings'; settings: ConnectionSettings }
  | { kind: 'secrets' }
  /** Signed in, out, expired or reconfigured (refreshes of the same session are not changes). */
  | { kind: 'session'; reason: string }
  | { kind: 'roles' };

export interface ConnectionWatch {
  service: 'airbyte' | 'looker' | 'metabase' | 'dbtCloud';
  /** Whether a SecretStorage key holds one of the service's own credentials (they are keyed by origin). */
  ownsSecret: (key: string) => boolean;
  secrets: vscode.SecretStorage;
  broker: { readonly onDidChangeSession: (listener: (e: { reason: string }) => unknown) => { dispose(): unknown } };
  roles: { readonly onDidChange: (listener: () => unknown) => { dispose(): unknown } };
  /** Called on every change that can alter what the service shows or who it acts as. */
  onChange(change: ConnectionChange): void;
}

/** The four things a service connection depends on, watched the same way by every service module. */
export function watchConnection(w: ConnectionWatch): vscode.Disposable[] {
  return [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`gatehouse.${w.service}`)) w.onChange({ kind: 'settings', settings: readConnectionSettings(w.service) });
    }),
    w.secrets.onDidChange((e) => {
      if (w.ownsSecret(e.key)) w.onChange({ kind: 'secrets' });
    }),
    toDisposable(w.broker.onDidChangeSession((e) => e.reason !== 'refreshed' && w.onChange({ kind: 'session', reason: e.reason }))),
    toDisposable(w.roles.onDidChange(() => w.onChange({ kind: 'roles' }))),
  ];
}

function toDisposable(d: { dispose(): unknown }): vscode.Disposable {
  return { dispose: () => void d.dispose() };
}
