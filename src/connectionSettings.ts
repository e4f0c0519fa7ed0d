// The two connection settings every HTTP service shares (gatehouse.<service>.baseUrl and
// .audience), read the same way everywhere: trimmed, and empty meaning "not set".
import * as vscode from 'vscode';

export interface ConnectionSettings {
  baseUrl?: string;
  /** IdP audience for the service's access token; unset: the service's own credentials. */
  audience?: string;
}

export function readConnectionSettings(service: 'airbyte' | 'looker' | 'metabase' | 'dbtCloud'): ConnectionSettings {
  const c = vscode.workspace.getConfiguration(`gatehouse.${service}`);
  const text = (key: string) => {
    const v = c.get<string>(key);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  return { baseUrl: text('baseUrl'), audience: text('audience') };
}
