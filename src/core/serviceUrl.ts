// Where a service's credentials may go. A service URL comes from settings a workspace can set, and
// every request to it carries a token, keys or a session: so https only, except to this machine
// (loopback: localhost, 127.0.0.0/8, ::1), and no user name or password inside the URL. The
// origin (scheme, host, port) is what a stored secret is bound to.
import { GatehouseError } from './errors';
import { t } from './l10n';

export type ServiceUrlReason = 'missing' | 'notAUrl' | 'unsupportedScheme' | 'insecure' | 'credentialsInUrl';

export class ServiceUrlError extends GatehouseError<ServiceUrlReason> {
  readonly service = 'core';

  constructor(
    reason: ServiceUrlReason,
    /** The setting the URL came from (gatehouse.looker.baseUrl), named in the message. */
    readonly setting: string,
    message: string,
    nextStep: string,
  ) {
    super(reason, message, nextStep);
  }

  static is(value: unknown, reason?: ServiceUrlReason): value is ServiceUrlError {
    return value instanceof ServiceUrlError && (reason === undefined || value.reason === reason);
  }
}

/** localhost, 127.0.0.0/8 or ::1, as the WHATWG URL parser spells them (it normalises 127.1, 0x7f.1, [0:0::1]). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A URL from settings, shown in a message: one line, short. */
function shown(raw: string): string {
  const line = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/**
 * The URL a service's credentials may be sent to, or a ServiceUrlError saying what is wrong and
 * what to set instead.
 */
export function checkServiceUrl(raw: string | undefined, setting: string): URL {
  const text = raw?.trim();
  if (!text) throw new ServiceUrlError('missing', setting, t('{0} is not set.', setting), t("Set {0} to the service's https URL.", setting));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServiceUrlError('notAUrl', setting, t('{0} "{1}" is not a URL.', setting, shown(text)), t("Set it to the service's https URL, such as https://data.example.com."));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ServiceUrlError('unsupportedScheme', setting, t('{0} must be an https URL, not {1}.', setting, shown(url.protocol)), t("Set it to the service's https URL, such as https://data.example.com."));
  }
  if (url.username || url.password) {
    throw new ServiceUrlError('credentialsInUrl', setting, t('{0} contains a user name or password.', setting), t('Remove them from the URL; Gatehouse keeps credentials in the OS keychain (VS Code SecretStorage).'));
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ServiceUrlError(
      'insecure',
      setting,
      t('{0} uses plain http for {1}: Gatehouse sends credentials over https only (plain http only to this machine).', setting, shown(url.host)),
      t("Change it to https://{0}{1}, or ask the service's admin for its https address.", shown(url.host), url.pathname === '/' ? '' : shown(url.pathname)),
    );
  }
  return url;
}

/** scheme://host[:port], the default port left out: what a stored secret is bound to. */
export function originOf(url: URL | string): string {
  return (typeof url === 'string' ? new URL(url) : url).origin;
}

/** checkServiceUrl, its refusal turned into the service's own error (its `notConfigured`). */
export function checkedServiceUrl(raw: string | undefined, setting: string, toError: (refusal: ServiceUrlError) => Error): URL {
  try {
    return checkServiceUrl(raw, setting);
  } catch (err) {
    throw ServiceUrlError.is(err) ? toError(err) : err;
  }
}

/** The origin of a usable service URL, or undefined (unset, not a URL, not allowed). */
export function serviceOrigin(raw: string | undefined): string | undefined {
  try {
    return checkServiceUrl(raw, 'url').origin;
  } catch {
    return undefined;
  }
}
