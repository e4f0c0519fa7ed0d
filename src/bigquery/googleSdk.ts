// The Google SDKs (google-auth-library, @google-cloud/bigquery and what they pull in) are about
// half of the extension's code, and only BigQuery needs them. They load on first use, not at
// activation: the bundle maps these two requires to dist/vendor/google.js (see esbuild.mjs).
import type * as GoogleAuthLibrary from 'google-auth-library';
import type * as BigQueryLibrary from '@google-cloud/bigquery';

export interface GoogleSdk {
  BigQuery: typeof BigQueryLibrary.BigQuery;
  GoogleAuth: typeof GoogleAuthLibrary.GoogleAuth;
  IdentityPoolClient: typeof GoogleAuthLibrary.IdentityPoolClient;
}

let loaded: GoogleSdk | undefined;

export function googleSdk(): GoogleSdk {
  if (!loaded) {
    // Plain requires on purpose: esbuild keeps them lazy (inside this function) and external.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bigquery = require('@google-cloud/bigquery') as typeof BigQueryLibrary;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const auth = require('google-auth-library') as typeof GoogleAuthLibrary;
    loaded = { BigQuery: bigquery.BigQuery, GoogleAuth: auth.GoogleAuth, IdentityPoolClient: auth.IdentityPoolClient };
  }
  return loaded;
}
