// The identity provider this integration run signs in at: the sandbox's (oidc-provider) in the
// integration tier, a real Keycloak in the Keycloak tier (the runner then names `keycloakIssuer`
// in GATEHOUSE_SANDBOX_URLS, and `issuer` is Keycloak's). What a person does on its pages, as
// steps for the runner's real Chromium (driverClient.browse), so the suites stay IdP-agnostic.
import * as assert from 'node:assert/strict';
import type { BrowseStep } from '../runner/driverClient';

export interface TestIdp {
  kind: 'sandbox' | 'keycloak';
  issuer: string;
  /** On the IdP's login page (signed out there): sign in as `user`. */
  loginSteps(user: string): BrowseStep[];
  /** On the device verification page (verification_uri): enter the code. */
  enterCode(userCode: string): BrowseStep[];
  /** After the code was accepted: approve as `user` or deny. */
  answerDevice(user: string, answer: 'approve' | 'deny'): BrowseStep[];
  /** What the IdP's last page says after the device was approved. */
  deviceApproved: RegExp;
  /** What the IdP says when a code is entered that it no longer knows (expired, used). */
  deviceCodeRefused: RegExp;
}

// The realm's users have the demo passwords (test/keycloak/realm-gatehouse.json).
const keycloakLogin = (user: string): BrowseStep[] => [
  { fill: '#username', value: user },
  { fill: '#password', value: `${user}-demo-password` },
  { click: '#kc-login' },
];

const KEYCLOAK: Omit<TestIdp, 'issuer'> = {
  kind: 'keycloak',
  loginSteps: keycloakLogin,
  enterCode: (userCode) => [
    { fill: '#device-user-code', value: userCode },
    { click: '[type=submit]' },
  ],
  answerDevice: (user, answer) => [
    ...keycloakLogin(user),
    // Keycloak asks every device grant for consent (the client needs none otherwise).
    { click: answer === 'approve' ? '[name=accept]' : '[name=cancel]' },
  ],
  deviceApproved: /Device Login Successful/i,
  deviceCodeRefused: /The code has expired|Invalid code, please try again/,
};

const SANDBOX: Omit<TestIdp, 'issuer'> = {
  kind: 'sandbox',
  // The sandbox's login page is a user picker (no passwords).
  loginSteps: (user) => [{ click: `button[name=user][value="${user}"]` }],
  enterCode: (userCode) => [
    { fill: 'input[name=user_code]', value: userCode },
    { click: 'button[form="op.deviceInputForm"]' },
  ],
  answerDevice: (user, answer) =>
    answer === 'approve'
      ? [{ click: 'button[form="op.deviceConfirmForm"]:not([name=abort])' }, { click: `button[name=user][value="${user}"]` }]
      : [{ click: 'button[name=abort]' }],
  deviceApproved: /You are signed in on your device/,
  deviceCodeRefused: /That code is not valid/,
};

export function testIdp(): TestIdp {
  const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { issuer?: string; keycloakIssuer?: string };
  assert.ok(urls.issuer, 'GATEHOUSE_SANDBOX_URLS names the issuer (the runner sets it)');
  return { ...(urls.keycloakIssuer ? KEYCLOAK : SANDBOX), issuer: urls.issuer };
}
