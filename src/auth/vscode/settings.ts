// Reads the sign-in settings and the optional client secret (SecretStorage only).
import * as vscode from 'vscode';
import { SERVICE_IDS, type RawAuthSettings } from '../config';

export const CLIENT_SECRET_KEY = 'gatehouse.auth.clientSecret';

export async function readAuthSettings(secrets: vscode.SecretStorage): Promise<RawAuthSettings> {
  const c = vscode.workspace.getConfiguration('gatehouse');
  return {
    issuer: c.get('auth.issuer'),
    clientId: c.get('auth.clientId'),
    clientSecret: await secrets.get(CLIENT_SECRET_KEY),
    scopes: c.get('auth.scopes'),
    groupsClaim: c.get('auth.groupsClaim'),
    flow: c.get('auth.flow'),
    serviceTokens: c.get('auth.serviceTokens'),
    audience: c.get('auth.audience'),
    switchAccountPrompt: c.get('auth.switchAccountPrompt'),
    audiences: Object.fromEntries(SERVICE_IDS.map((id) => [id, c.get(`${id}.audience`)])),
  };
}

/** True when a change may alter the sign-in configuration. */
export function affectsAuth(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('gatehouse.auth') || SERVICE_IDS.some((id) => e.affectsConfiguration(`gatehouse.${id}.audience`));
}
