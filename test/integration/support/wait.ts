// Waits on what VS Code renders: a webview's text, read through the headless browser driver.
import { readWebview } from '../runner/driverClient';
import { until } from '../../unit/support/wait';

/** The URL part that marks Gatehouse's webview frames. */
export const WEBVIEW_FRAME = 'extensionId=gatehouse.gatehouse';

/** Polls Gatehouse's webview until `selector` has values satisfying `ok` (webviews render asynchronously). */
export async function waitForWebview(selector: string, ok: (values: Array<string | null>) => boolean, timeoutMs = 30_000): Promise<Array<string | null>> {
  const deadline = Date.now() + timeoutMs;
  let last: Array<string | null> = [];
  return until(
    `the webview's ${selector}`,
    async () => {
      last = await readWebview(selector, { frameUrlContains: WEBVIEW_FRAME, timeoutMs: Math.min(10_000, Math.max(1, deadline - Date.now())) }).catch(() => []);
      return ok(last) ? last : undefined;
    },
    timeoutMs,
    { intervalMs: 250, lastSeen: () => JSON.stringify(last.slice(0, 12)) },
  );
}
