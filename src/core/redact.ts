// Redaction of secrets from anything that leaves memory as text: log lines, error messages,
// audit records. Two layers: known secret values registered at run time (exact match), and
// patterns that look like credentials (JWTs, bearer headers, secret-named fields).

const SECRET_KEYS = [
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'subject_token',
  'client_secret',
  'clientSecret',
  'code_verifier',
  'codeVerifier',
  'device_code',
  'code',
  'password',
  'token',
  'secret',
  'authorization',
  'x-api-key',
  'x-metabase-session',
  'session_id',
];
const KEY_ALTERNATION = SECRET_KEYS.map((k) => k.replace(/[-_]/g, '[-_]?')).join('|');

const PATTERNS: [RegExp, string][] = [
  // JSON / object dumps: "access_token":"..." or access_token: '...'
  [new RegExp(`(["']?(?:${KEY_ALTERNATION})["']?\\s*[:=]\\s*["'])[^"']*(["'])`, 'gi'), '$1[redacted]$2'],
  // URL query strings and form bodies: ?code=...&state=
  [new RegExp(`(^|[?&\\s])((?:${KEY_ALTERNATION})=)[^&#\\s"']*`, 'gi'), '$1$2[redacted]'],
  // Authorization headers.
  [/\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  // Anything shaped like a JWT (three base64url segments, first starts with eyJ).
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // Google access tokens.
  [/ya29\.[A-Za-z0-9._-]+/g, '[redacted-google-token]'],
];

/** Values registered here are removed wherever they appear, whatever their shape. */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would redact ordinary words; real secrets are long.
    if (value && value.length >= 8) this.values.add(value);
  }

  delete(value: string | undefined): void {
    if (value) this.values.delete(value);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[redacted]');
    return out;
  }
}

export function redact(text: string, secrets?: SecretRegistry): string {
  let out = secrets ? secrets.scrub(text) : text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** Renders any value (error, object, string) as redacted text for a log line. */
export function redactValue(value: unknown, secrets?: SecretRegistry): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Error) text = value.stack ?? `${value.name}: ${value.message}`;
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  }
  return redact(text, secrets);
}
