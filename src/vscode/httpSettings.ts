// gatehouse.http.* (machine scope): read per request, so a changed cap applies to the next call.
import * as vscode from 'vscode';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../core/http';

const MiB = 1024 * 1024;

/** The response cap in bytes from gatehouse.http.maxResponseMiB (invalid or below 1: the default). */
export function maxResponseBytesSetting(): number {
  const mib = vscode.workspace.getConfiguration('gatehouse.http').get<number>('maxResponseMiB');
  return typeof mib === 'number' && Number.isFinite(mib) && mib >= 1 ? Math.floor(mib * MiB) : DEFAULT_MAX_RESPONSE_BYTES;
}
