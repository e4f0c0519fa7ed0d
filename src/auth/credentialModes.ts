// Which credential a service connection uses (gatehouse.<service>.credential). The first mode of
// each service is its per-person path and the default; `proxy` sends the sign-in's IdP token for
// gatehouse.<service>.audience to baseUrl, which is then an identity-aware proxy's URL. Settings
// written before the `credential` setting existed chose the IdP token by setting `audience`:
// when `credential` is not set explicitly and `audience` is, the mode is `proxy`.

export const CREDENTIAL_MODES = {
  airbyte: ['application', 'proxy'],
  dbtCloud: ['personalToken', 'serviceToken', 'proxy'],
  metabase: ['session', 'apiKey', 'proxy'],
} as const;

export type CredentialModeService = keyof typeof CREDENTIAL_MODES;
export type CredentialMode<S extends CredentialModeService> = (typeof CREDENTIAL_MODES)[S][number];

/**
 * The mode for `service`. `explicit` is the setting's value only when the person set it (VS Code's
 * `inspect()`), else undefined; an unknown value falls back like an unset one.
 */
export function credentialMode<S extends CredentialModeService>(service: S, explicit: unknown, audience: string | undefined): CredentialMode<S> {
  const modes: readonly string[] = CREDENTIAL_MODES[service];
  if (typeof explicit === 'string' && modes.includes(explicit)) return explicit as CredentialMode<S>;
  return (audience ? 'proxy' : modes[0]) as CredentialMode<S>;
}
