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
