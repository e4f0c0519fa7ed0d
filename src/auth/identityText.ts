// Words shown about the signed-in user (status bar, Show Identity). Pure, so the leak test can
// prove none of it carries a token.
import { Formatter } from '../core/format';
import { safe } from '../core/displayText';
import { sessionEndsAt, type Identity, type Session } from './session';
import { t } from '../core/l10n';

export function statusBarText(identity: Identity | undefined): string {
  return identity ? safe`$(account) ${identity.label}` : t('$(sign-in) Sign in');
}

export function statusTooltip(session: Session | undefined, configured: boolean, fmt = new Formatter()): string {
  if (!configured) return t('Gatehouse: sign-in is not configured. Click to configure.');
  if (!session) return t('Gatehouse: not signed in. Click to sign in.');
  const ends = sessionEndsAt(session);
  const host = (() => {
    try {
      return new URL(session.issuer).host;
    } catch {
      return session.issuer;
    }
  })();
  if (ends === undefined) return safe`Signed in to ${host} as ${session.identity.label}; renewed automatically while you work.`;
  if (session.refreshToken) return safe`Signed in to ${host} as ${session.identity.label} until ${fmt.time(ends)} (renewed automatically).`;
  return safe`Signed in to ${host} as ${session.identity.label} until ${fmt.time(ends)}.`;
}

/** Label/value rows for "Show Identity": the claims Gatehouse uses, never a token. */
export function identityRows(identity: Identity, fmt = new Formatter()): { label: string; value: string }[] {
  return [
    { label: t('Account'), value: identity.label },
    { label: t('Name'), value: identity.name ?? '—' },
    { label: t('Subject'), value: identity.subject },
    { label: t('Email'), value: identity.email ?? '—' },
    { label: t('Groups'), value: identity.groups.length ? identity.groups.join(', ') : t('none') },
    { label: t('Issuer'), value: identity.issuer },
    { label: t('Id token expires'), value: fmt.dateTime(identity.expiresAt) },
  ];
}

/** Show Identity as lines: the sign-in's rows (or "Not signed in"), then each service and whom it sees. */
export function identityReportLines(rows: readonly { label: string; value: string }[] | undefined, services: readonly { title: string; text: string }[]): string[] {
  return [...(rows ? rows.map((r) => `${r.label}: ${r.value}`) : [t('Not signed in')]), ...services.map((s) => `${s.title}: ${s.text}`)];
}
