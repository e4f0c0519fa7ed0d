// Redaction of secrets from anything that leaves memory as text: log lines, error messages,
// audit records. Two layers: known secret values registered at run time (exact match), and
// patterns that look like credentials (JWTs, bearer headers, secret-named fields).

const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'id_token',
  'subject_token',
  'client_secret',
  'code_verifier',
  'device_code',
  'code',
  'password',
  'passwd',
  'token',
  'secret',
  'authorization',
  'api_key',
  'x-api-key',
  'x-metabase-session',
  'session_id',
  'session_token',
  'private_key',
];
// access_token also matches accessToken, access-token and ACCESS_TOKEN (the patterns ignore case).
const KEY = `(?:${SECRET_KEYS.map((k) => k.replace(/[-_]/g, '[-_]?')).join('|')})`;
// A key is a whole word: `zipcode=` or `nextPageToken:` are not secrets.
const KEY_START = '(?<![A-Za-z0-9])';

// Header lines whose whole value is a credential (HTTP dumps, curl -v, error text).
const HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-metabase-session', 'x-api-key', 'api-key', 'x-goog-api-key', 'x-auth-token'];

// Base64url text of a JWT segment, allowed to wrap onto the next line (a continued chunk must end
// its line or meet a dot or a delimiter, so the first word of the following line is not taken).
const SEGMENT = String.raw`[A-Za-z0-9_-]+(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9_-]+(?=[ \t]*(?:\r?\n|$|\.|["',;)\]}])))*`;
// A credential after a lowercase scheme word: 8+ characters with a digit, a symbol or a
// lower-to-upper hump, so that "basic authentication" or "bearer tokens" stay as they are.
const CREDENTIAL = String.raw`(?=[A-Za-z0-9._~+/=-]*(?:[0-9._~+/=]|[a-z][A-Z]))[A-Za-z0-9._~+/=-]{8,}`;

/** `bearer` as [Bb][Ee]...: the credential check after it must stay case-sensitive. */
function anyCase(word: string): string {
  return [...word].map((c) => `[${c.toUpperCase()}${c}]`).join('');
}

const PATTERNS: [RegExp, string][] = [
  // Header lines: Authorization: ..., Cookie: ..., X-Metabase-Session: ... (to the end of the line).
  [new RegExp(`(^|[\\s{,;(\\[])((?:${HEADERS.join('|')})\\s*:[ \\t]*)[^\\r\\n]+`, 'gim'), '$1$2[redacted]'],
  // JSON inside a JSON string: \"access_token\":\"...\"
  [new RegExp(`(\\\\["']${KEY_START}${KEY}\\\\["']\\s*:\\s*\\\\["'])(?:(?!\\\\["']).)*(\\\\["'])`, 'gi'), '$1[redacted]$2'],
  // JSON / object dumps: "access_token":"...", access_token: '...', password="..." (not `code = 'DE'`,
  // which is SQL more often than a secret).
  [new RegExp(`(["']?${KEY_START}${KEY}["']?(?:\\s*:\\s*|=\\s*))(["'])(?:\\\\.|(?!\\2)[^\\\\\\r\\n])*\\2`, 'gi'), '$1$2[redacted]$2'],
  // URL query strings, fragments and form bodies: ?code=..., #access_token=..., &password=...
  [new RegExp(`(^|[?&#;\\s])(${KEY}=)[^&#\\s"']*`, 'gi'), '$1$2[redacted]'],
  // Authorization schemes: canonical spelling as before; any spelling when it looks like a credential.
  [/\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
  [new RegExp(`\\b(${anyCase('bearer')}|${anyCase('basic')})\\s+${CREDENTIAL}`, 'g'), '$1 [redacted]'],
  // Anything shaped like a JWT (three base64url segments, the first starting eyJ), also when
  // wrapped over lines or spaced around its dots.
  [new RegExp(`eyJ${SEGMENT}\\s*\\.\\s*${SEGMENT}\\s*\\.(?:[ \\t]*${SEGMENT})?`, 'g'), '[redacted-jwt]'],
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
