// Which credential Gatehouse reaches Looker with: gatehouse.looker.credential when set explicitly;
// otherwise Looker's OAuth sign-in, except that an audience set before the setting existed keeps
// meaning the identity-aware proxy (the IdP token for that audience), as it did.
export type LookerCredentialMode = 'oauth' | 'api3' | 'proxy';

const MODES: readonly LookerCredentialMode[] = ['oauth', 'api3', 'proxy'];

export function lookerCredentialMode(explicit: unknown, audience: string | undefined): LookerCredentialMode {
  if (MODES.includes(explicit as LookerCredentialMode)) return explicit as LookerCredentialMode;
  return audience ? 'proxy' : 'oauth';
}
