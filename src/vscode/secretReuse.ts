// The question OriginBoundSecrets asks before a secret stored for one server goes to another: a
// modal, because the answer decides where a credential is sent. The origins shown come from
// settings and SecretStorage: text in a dialog, never a link or a command.
import * as vscode from 'vscode';
import { plain, safe } from '../core/displayText';
import type { SecretReuseConfirm } from '../core/originSecrets';

export const vscodeSecretReuseConfirm: SecretReuseConfirm = {
  async confirmReuse({ what, storedFor, target }) {
    const send = vscode.l10n.t('Send');
    const detail = storedFor
      ? safe`They were stored for ${storedFor}. The configured server is now ${target}. Settings can come from a workspace: send them only if you trust ${target}. Otherwise, cancel and enter credentials issued by that server.`
      : safe`They were stored before Gatehouse bound credentials to a server. The configured server is ${target}: send them only if they were issued by it. Otherwise, cancel and enter credentials issued by that server.`;
    const answer = await vscode.window.showWarningMessage(safe`Send your ${what} to ${target}?`, { modal: true, detail: plain(detail) }, send);
    return answer === send;
  },
};
