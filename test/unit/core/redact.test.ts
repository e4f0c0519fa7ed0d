import * as assert from 'node:assert/strict';
import { redact, redactValue, SecretRegistry } from '../../../src/core/redact';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';

const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsImF1ZCI6ImdhdGVob3VzZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redact', () => {
  const cases: [string, string, string][] = [
    ['JSON field', `{"access_token":"abc123secretvalue","expires_in":600}`, 'abc123secretvalue'],
    ['refresh token field', `{"refresh_token": "r-0987654321"}`, 'r-0987654321'],
    ['query string code', 'http://127.0.0.1:5555/callback?code=AUTHCODE123&state=xyz', 'AUTHCODE123'],
    ['form body verifier', 'grant_type=authorization_code&code_verifier=VERIFIER-abcdefgh&client_id=x', 'VERIFIER-abcdefgh'],
    ['bearer header', 'Authorization: Bearer opaque.token-value_123', 'opaque.token-value_123'],
    ['dbt token header', 'Authorization: Token dbtu_alice_0123456789', 'dbtu_alice_0123456789'],
    ['bare JWT', `id token was ${JWT} then`, JWT],
    ['google token', 'got ya29.sandbox.AbCdEf-123_456 back', 'ya29.sandbox.AbCdEf-123_456'],
    ['client secret', `client_secret=shhh-very-secret`, 'shhh-very-secret'],
    ['metabase session header', `{"X-Metabase-Session":"5f1e6c3a-0000"}`, '5f1e6c3a-0000'],
  ];
  for (const [name, input, secret] of cases) {
    it(`removes a ${name}`, () => {
      const out = redact(input);
      assert.ok(!out.includes(secret), out);
      assert.match(out, /redacted/);
    });
  }

  // Input -> exact output: the secret goes, everything around it stays.
  const R = '[redacted]';
  const wrapped = `${JWT.slice(0, 40)}\n  ${JWT.slice(40, 80)}\n  ${JWT.slice(80)}`;
  const table: [string, string, string][] = [
    ['escaped JSON', String.raw`{\"access_token\":\"abc123secret\",\"expires_in\":600}`, String.raw`{\"access_token\":\"${R}\",\"expires_in\":600}`],
    ['escaped JSON, camelCase', String.raw`"body":"{\"refreshToken\":\"rt-1234567\"}"`, String.raw`"body":"{\"refreshToken\":\"${R}\"}"`],
    ['JSON value with escaped quotes', '{"password":"it\'s \\"quoted\\" here","user":"alice"}', `{"password":"${R}","user":"alice"}`],
    ['URL fragment', 'http://127.0.0.1:5555/cb#access_token=abc123secret&token_type=Bearer&expires_in=3600', `http://127.0.0.1:5555/cb#access_token=${R}&token_type=Bearer&expires_in=3600`],
    ['fragment id_token', `/cb#state=s&id_token=${JWT}`, `/cb#state=s&id_token=${R}`],
    ['query refresh_token and id_token', `?refresh_token=rt-123456&id_token=${JWT}&state=s`, `?refresh_token=${R}&id_token=${R}&state=s`],
    ['form client_secret and password', 'client_secret=shh-123&password=hunter2!&user=alice', `client_secret=${R}&password=${R}&user=alice`],
    ['form refresh grant', 'grant_type=refresh_token&refresh_token=rt-123456&client_id=x', `grant_type=refresh_token&refresh_token=${R}&client_id=x`],
    ['query api_key', 'GET /api?api_key=AIzaSyAbc123&q=1', `GET /api?api_key=${R}&q=1`],
    ['JSON apiKey', '{"apiKey":"mb_abcdef123"}', `{"apiKey":"${R}"}`],
    ['object dump apiKey', "{ apiKey: 'mb_abcdef123' }", `{ apiKey: '${R}' }`],
    ['header Authorization, lowercase scheme', 'authorization: bearer abc123def456', `authorization: ${R}`],
    ['header Authorization in a dump', 'GET /x\nAuthorization: Basic YWxpY2U6c2VjcmV0\nAccept: */*', `GET /x\nAuthorization: ${R}\nAccept: */*`],
    ['header Cookie', 'Cookie: metabase.SESSION=abc-123; other=1\nnext line', `Cookie: ${R}\nnext line`],
    ['header X-Metabase-Session', 'X-Metabase-Session: 5f1e6c3a-0000-4000-8000-000000000000', `X-Metabase-Session: ${R}`],
    ['header x-api-key', 'x-api-key: k_live_123456', `x-api-key: ${R}`],
    ['header X-API-Key after text', 'sent X-API-Key: k_live_123456 (retry 2)', `sent X-API-Key: ${R}`],
    ['lowercase bearer', 'sent bearer abc123def456ghi to the API', `sent bearer ${R} to the API`],
    ['lowercase basic', 'with basic dXNlcjpwYXNz header', `with basic ${R} header`],
    ['BEARER', 'BEARER abc123def456ghi', `BEARER ${R}`],
    ['JWT wrapped over lines', `id token ${wrapped}\nnext line`, 'id token [redacted-jwt]\nnext line'],
    ['JWT spaced around its dots', `id token ${JWT.split('.').join(' . ')} end`, 'id token [redacted-jwt] end'],
    ['JWT in a sentence', `got ${JWT}, then`, 'got [redacted-jwt], then'],
    // Ordinary text is left as it is.
    ['plain text', 'Listed 12 datasets in project gatehouse-demo for alice@example.com', 'Listed 12 datasets in project gatehouse-demo for alice@example.com'],
    ['the words basic and bearer', 'basic authentication is off; Bearer tokens expire after an hour', 'basic authentication is off; Bearer tokens expire after an hour'],
    ['the word token', 'the token expired; sign in again', 'the token expired; sign in again'],
    ['a key inside a longer word', 'zipcode=94107&city=Berlin', 'zipcode=94107&city=Berlin'],
    ['camelCase key ending in Token', '{"nextPageToken":"CAUQAA","totalRows":"12"}', '{"nextPageToken":"CAUQAA","totalRows":"12"}'],
    ['Authorization as a word', 'Authorization failed for alice', 'Authorization failed for alice'],
    ['SQL comparing a column named code', "SELECT code, name FROM country_codes WHERE code = 'DE'", "SELECT code, name FROM country_codes WHERE code = 'DE'"],
    ['a grant type that names a token', 'grant_type=refresh_token&client_id=gatehouse', 'grant_type=refresh_token&client_id=gatehouse'],
    ['numbers next to secret-looking keys', '{"code":403,"expires_in":600}', '{"code":403,"expires_in":600}'],
    ['dbt selector', 'dbt run --select orders+ --target dev', 'dbt run --select orders+ --target dev'],
  ];
  for (const [name, input, output] of table) {
    it(`table: ${name}`, () => assert.equal(redact(input), output));
  }

  it('keeps ordinary text', () => {
    const text = 'Listed 12 datasets in project gatehouse-demo for alice@example.com';
    assert.equal(redact(text), text);
  });

  it('removes registered secrets whatever their shape', () => {
    const secrets = new SecretRegistry();
    secrets.add('plain-looking-but-secret');
    assert.equal(redact('value plain-looking-but-secret here', secrets), 'value [redacted] here');
    secrets.delete('plain-looking-but-secret');
    assert.equal(redact('value plain-looking-but-secret here', secrets), 'value plain-looking-but-secret here');
  });

  it('ignores registrations too short to be secrets', () => {
    const secrets = new SecretRegistry();
    secrets.add('abc');
    assert.equal(redact('abc def', secrets), 'abc def');
  });

  it('redacts errors including their stack and cause text', () => {
    const err = new Error(`request failed: {"id_token":"${JWT}"}`);
    const out = redactValue(err);
    assert.ok(!out.includes(JWT));
    assert.match(out, /request failed/);
  });
});

describe('RedactingLogger', () => {
  it('redacts the message and every argument before the sink sees them', () => {
    const sink = new MemoryLogSink();
    const secrets = new SecretRegistry();
    secrets.add('registered-secret-123');
    const log = new RedactingLogger(sink, secrets).child('auth');
    log.info('token response', { access_token: 'at-1234567890', note: 'registered-secret-123' });
    log.error(`failed with Bearer ${JWT}`);
    const all = sink.lines.join('\n');
    assert.ok(!all.includes('at-1234567890'));
    assert.ok(!all.includes('registered-secret-123'));
    assert.ok(!all.includes(JWT));
    assert.match(sink.lines[0], /^info \[auth\] token response/);
  });
});
