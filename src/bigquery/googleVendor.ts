// Entry of dist/vendor/google.js: the Google SDKs in one bundle of their own, so that one copy of
// google-auth-library serves both BigQuery and federation, and the extension loads it on first use.
export { BigQuery } from '@google-cloud/bigquery';
export { GoogleAuth, IdentityPoolClient } from 'google-auth-library';
