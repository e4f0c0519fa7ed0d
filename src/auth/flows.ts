// Which sign-in flows to try, in order: a pure function so the whole table is tested in plain Node.
import type { FlowSetting } from './config';

export type SignInFlow = 'loopback' | 'device';

export interface FlowQuery {
  flowSetting: FlowSetting;
  /** The extension host runs remotely (SSH, container, WSL, Codespaces) or in a browser. */
  isRemoteOrWeb: boolean;
  /** Discovery advertised a device_authorization_endpoint. */
  supportsDevice: boolean;
}

export function getFlows(query: FlowQuery): SignInFlow[] {
  const { flowSetting, isRemoteOrWeb, supportsDevice } = query;
  if (flowSetting === 'loopback') return ['loopback'];
  if (flowSetting === 'device') return supportsDevice ? ['device'] : [];
  // A loopback server on a remote host is not reachable from the user's browser.
  if (isRemoteOrWeb) return supportsDevice ? ['device'] : [];
  return supportsDevice ? ['loopback', 'device'] : ['loopback'];
}
