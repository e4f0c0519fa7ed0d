// For suites running inside the extension host: ask the test driver (run.mjs, which holds the
// Playwright page of the workbench) what a webview panel rendered, or for a screenshot.
// Only the code-server backend has a driver; under VS Code desktop `driverAvailable()` is false
// and a test that needs it should skip.
//
//   import { readWebview } from '../runner/driverClient';
//   const cells = await readWebview('td', { frameUrlContains: 'extensionId=gatehouse.gatehouse', timeoutMs: 10_000 });

export type WebviewProperty = 'textContent' | 'innerText' | 'innerHTML' | 'outerHTML' | 'value';

export interface WebviewQuery {
  selector: string;
  property?: WebviewProperty;
  /** Matched against the frame's URL and its ancestors' (the outer webview frame carries extensionId=...). */
  frameUrlContains?: string;
  /** Poll until some webview frame matches, up to this long (webviews render asynchronously). */
  timeoutMs?: number;
}

export interface WebviewMatch {
  frameUrl: string;
  values: Array<string | null>;
}

export interface FrameInfo {
  url: string;
  parentUrl: string | null;
  webview: boolean;
}

export function driverAvailable(): boolean {
  return Boolean(process.env.GATEHOUSE_DRIVER_URL);
}

/** Every webview frame with at least one element matching the selector, and the property's values. */
export async function queryWebviews(query: WebviewQuery): Promise<WebviewMatch[]> {
  const { matches } = await call<{ matches: WebviewMatch[] }>('query', query, query.timeoutMs);
  return matches;
}

/** The property's values of every element matching the selector, across the matching webview frames. */
export async function readWebview(selector: string, options: Omit<WebviewQuery, 'selector'> = {}): Promise<Array<string | null>> {
  return (await queryWebviews({ ...options, selector })).flatMap((m) => m.values);
}

/** The visible text of workbench elements (outside webviews) matching the selector. */
export async function workbenchText(selector = 'body'): Promise<string[]> {
  return (await call<{ values: string[] }>('workbenchText', { selector })).values;
}

/** Clicks the first element matching the selector in a matching webview; false when none appeared in time. */
export async function clickWebview(selector: string, options: Omit<WebviewQuery, 'selector' | 'property'> = {}): Promise<boolean> {
  return (await call<{ clicked: boolean }>('click', { ...options, selector }, options.timeoutMs)).clicked;
}

/**
 * Reads the workbench's own DOM (not a webview): `attribute` of every element matching the
 * selector, else its textContent. With timeoutMs, polls until something matches.
 */
export async function readWorkbench(selector: string, options: { attribute?: string; timeoutMs?: number } = {}): Promise<Array<string | null>> {
  return (await call<{ values: Array<string | null> }>('workbench', { selector, ...options }, options.timeoutMs)).values;
}

/** One thing a person does on a page; selectors are Playwright's (CSS, `text=`, `:has-text()`). */
export type BrowseStep = { fill: string; value: string } | { click: string } | { waitFor: string };

export interface BrowsedPage {
  url: string;
  title: string;
  text: string;
}

/**
 * Opens `url` in the test's real Chromium (a fresh context: no cookies of earlier visits), does
 * the steps, and returns the page it ended on (its URL and visible text).
 */
export async function browse(url: string, steps: BrowseStep[], timeoutMs = 30_000): Promise<BrowsedPage> {
  return call<BrowsedPage>('browse', { url, steps, timeoutMs }, timeoutMs);
}

/** Saves a PNG of the whole workbench; a relative path is resolved against the driver's cwd. */
export async function screenshot(path: string, fullPage = false): Promise<string> {
  return (await call<{ path: string }>('screenshot', { path, fullPage })).path;
}

export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
  /** 'frame': the webview's own renderer; 'page': the renderer it shares with the workbench. */
  scope: 'frame' | 'page';
}

/** JS heap of the renderer running the matching webview, after a forced garbage collection. */
export async function webviewHeap(frameUrlContains?: string): Promise<HeapUsage> {
  return call<HeapUsage>('heap', { frameUrlContains });
}

export async function listFrames(): Promise<FrameInfo[]> {
  return (await call<{ frames: FrameInfo[] }>('frames')).frames;
}

async function call<T>(route: string, body?: object, waitMs = 0): Promise<T> {
  const base = process.env.GATEHOUSE_DRIVER_URL;
  if (!base) throw new Error('GATEHOUSE_DRIVER_URL is not set: the webview driver exists only under the code-server backend');
  const res = await fetch(new URL(route, base), {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(waitMs + 30_000),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`driver ${route}: ${res.status} ${json.error ?? ''}`);
  return json;
}
