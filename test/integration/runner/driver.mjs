// The driver endpoint: a small HTTP server on 127.0.0.1 that lets a test running inside the
// extension host ask the test driver (which holds the Playwright page) what a webview rendered.
// Its base URL, with a random token in the path, reaches the extension host as GATEHOUSE_DRIVER_URL.
//
//   GET  <base>frames                  -> { frames: [{ url, parentUrl, webview }] }
//   POST <base>query {selector, property?, frameUrlContains?, timeoutMs?}
//                                      -> { matches: [{ frameUrl, values: [string|null] }] }
//   POST <base>workbench {selector, attribute?, timeoutMs?}
//                                      -> { values: [string|null] } from the workbench itself (not a
//                                      webview): an attribute of every match, else its textContent
//   POST <base>screenshot {path, fullPage?} -> { path }
//   POST <base>browse {url, steps, timeoutMs?} -> { url, text, title }
//                                      a person at the browser: opens url in a fresh context of the
//                                      same Chromium (its own cookies), runs the steps ({fill, value},
//                                      {click}, {waitFor}: Playwright selectors), answers with the
//                                      last page, then closes the context
//   POST <base>heap {frameUrlContains?}  -> { usedBytes, totalBytes, scope: 'frame' | 'page' }
//                                      JS heap of the renderer that runs the matching webview,
//                                      after a forced garbage collection (for benchmarks)
//
// `query` looks only at webview frames (nested iframes under .../webview/...); frameUrlContains
// is matched against a frame's URL and its ancestors' (the outer one carries extensionId=...).
// With timeoutMs it polls until some frame has a match, since webviews render asynchronously.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const PROPERTIES = new Set(['textContent', 'innerText', 'innerHTML', 'outerHTML', 'value']);
const MAX_BODY = 64 * 1024;

export async function startDriver({ log = () => {} } = {}) {
  let page;
  const token = randomBytes(16).toString('hex');
  const prefix = `/${token}/`;

  const routes = {
    'GET frames': async () => ({
      frames: page.frames().map((f) => ({ url: f.url(), parentUrl: f.parentFrame()?.url() ?? null, webview: isWebview(f) })),
    }),
    'POST query': async (body) => {
      const { selector, property = 'textContent', frameUrlContains, timeoutMs = 0 } = body;
      if (typeof selector !== 'string' || !selector) throw new BadRequest('selector (string) is required');
      if (!PROPERTIES.has(property)) throw new BadRequest(`property must be one of ${[...PROPERTIES].join(', ')}`);
      const deadline = Date.now() + Math.min(Number(timeoutMs) || 0, 60_000);
      for (;;) {
        const matches = await queryWebviews(page, { selector, property, frameUrlContains });
        if (matches.length || Date.now() >= deadline) return { matches };
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    'POST workbenchText': async (body) => {
      // The text of workbench elements outside webviews (e.g. the Welcome editor's walkthrough).
      const { selector = 'body' } = body;
      if (typeof selector !== 'string') throw new BadRequest('selector must be a string');
      try {
        return { values: await page.mainFrame().evaluate((sel) => Array.from(document.querySelectorAll(sel), (el) => el.innerText ?? el.textContent ?? ''), selector) };
      } catch (err) {
        if (/not a valid selector/.test(err.message)) throw new BadRequest(`invalid selector: ${selector}`);
        throw err;
      }
    },
    'POST click': async (body) => {
      // Clicks the first element matching `selector` in the first webview frame that has one, as a
      // person would (Playwright's actionability checks: visible, enabled, stable).
      const { selector, frameUrlContains, timeoutMs = 10_000 } = body;
      if (typeof selector !== 'string' || !selector) throw new BadRequest('selector (string) is required');
      const deadline = Date.now() + Math.min(Number(timeoutMs) || 0, 60_000);
      for (;;) {
        const frames = page.frames().filter(isWebview).filter((f) => !frameUrlContains || chain(f).some((u) => u.includes(frameUrlContains)));
        for (const frame of frames) {
          const handle = await frame.$(selector).catch(() => null);
          if (handle) {
            await handle.click({ timeout: Math.max(1_000, deadline - Date.now()) });
            return { clicked: true, frameUrl: frame.url() };
          }
        }
        if (Date.now() >= deadline) return { clicked: false };
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    'POST workbench': async (body) => {
      const { selector, attribute, timeoutMs = 0 } = body;
      if (typeof selector !== 'string' || !selector) throw new BadRequest('selector (string) is required');
      if (attribute !== undefined && (typeof attribute !== 'string' || !/^[a-z][a-z-]*$/.test(attribute))) throw new BadRequest('attribute must be an attribute name');
      const deadline = Date.now() + Math.min(Number(timeoutMs) || 0, 60_000);
      for (;;) {
        let values;
        try {
          values = await page.mainFrame().evaluate(
            ([sel, attr]) => Array.from(document.querySelectorAll(sel), (el) => (attr ? el.getAttribute(attr) : el.textContent)),
            [selector, attribute],
          );
        } catch (err) {
          if (/not a valid selector/.test(err.message)) throw new BadRequest(`invalid selector: ${selector}`);
          throw err;
        }
        if (values.length || Date.now() >= deadline) return { values };
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    'POST heap': async (body) => {
      // A webview is an out-of-process iframe when Chromium isolates its origin; then it has a CDP
      // target of its own. Otherwise it shares the page's renderer, whose heap is what we read.
      const frame = page.frames().find((f) => isWebview(f) && (!body.frameUrlContains || chain(f).some((u) => u.includes(body.frameUrlContains))));
      let session;
      let scope = 'page';
      if (frame) {
        try {
          session = await page.context().newCDPSession(frame);
          scope = 'frame';
        } catch {
          session = undefined;
        }
      }
      session ??= await page.context().newCDPSession(page);
      try {
        await session.send('HeapProfiler.enable');
        await session.send('HeapProfiler.collectGarbage');
        const usage = await session.send('Runtime.getHeapUsage');
        return { usedBytes: usage.usedSize, totalBytes: usage.totalSize, scope };
      } finally {
        await session.detach().catch(() => {});
      }
    },
    'POST browse': async (body) => {
      const { url, steps = [], timeoutMs = 30_000 } = body;
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new BadRequest('url (http or https) is required');
      if (!Array.isArray(steps) || !steps.every(isStep)) throw new BadRequest('steps are {fill, value}, {click} or {waitFor} with selector strings');
      const timeout = Math.min(Number(timeoutMs) || 30_000, 120_000);
      const context = await page.context().browser().newContext();
      try {
        const tab = await context.newPage();
        tab.setDefaultTimeout(timeout);
        await tab.goto(url, { waitUntil: 'domcontentloaded' });
        for (const step of steps) {
          if ('fill' in step) await tab.fill(step.fill, step.value);
          else if ('click' in step) await tab.click(step.click);
          else await tab.waitForSelector(step.waitFor);
        }
        await tab.waitForLoadState('domcontentloaded');
        return { url: tab.url(), title: await tab.title(), text: await tab.innerText('body').catch(() => '') };
      } finally {
        await context.close().catch(() => {});
      }
    },
    'POST screenshot': async (body) => {
      if (typeof body.path !== 'string' || !body.path) throw new BadRequest('path (string) is required');
      const path = resolve(body.path);
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path, fullPage: Boolean(body.fullPage) });
      return { path };
    },
  };

  const server = createServer(async (req, res) => {
    const send = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    try {
      if (!req.url.startsWith(prefix)) return send(404, { error: 'not found' });
      const route = routes[`${req.method} ${req.url.slice(prefix.length).split('?')[0]}`];
      if (!route) return send(404, { error: 'not found' });
      if (!page) return send(503, { error: 'workbench page not open yet' });
      const body = req.method === 'POST' ? await readJson(req) : {};
      send(200, await route(body));
    } catch (err) {
      if (!(err instanceof BadRequest)) log(`driver: ${req.method} ${req.url.slice(prefix.length)}: ${err.message}`);
      send(err instanceof BadRequest ? 400 : 500, { error: err.message });
    }
  });
  await new Promise((res, rej) => server.once('error', rej).listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${server.address().port}${prefix}`;
  return {
    url,
    setPage: (p) => (page = p),
    close: () => new Promise((res) => server.close(() => res())),
  };
}

class BadRequest extends Error {}

function isStep(step) {
  if (!step || typeof step !== 'object') return false;
  if ('fill' in step) return typeof step.fill === 'string' && typeof step.value === 'string';
  if ('click' in step) return typeof step.click === 'string';
  return typeof step.waitFor === 'string';
}

function isWebview(frame) {
  return frame.parentFrame() !== null && frame.url().includes('/webview/');
}

function chain(frame) {
  const urls = [];
  for (let f = frame; f; f = f.parentFrame()) urls.push(f.url());
  return urls;
}

async function queryWebviews(page, { selector, property, frameUrlContains }) {
  const frames = page
    .frames()
    .filter(isWebview)
    .filter((f) => !frameUrlContains || chain(f).some((u) => u.includes(frameUrlContains)));
  const matches = [];
  for (const frame of frames) {
    let values;
    try {
      values = await frame.evaluate(
        ([sel, prop]) => Array.from(document.querySelectorAll(sel), (el) => (el[prop] == null ? null : String(el[prop]))),
        [selector, property],
      );
    } catch (err) {
      if (/not a valid selector/.test(err.message)) throw new BadRequest(`invalid selector: ${selector}`);
      continue; // the frame navigated or was disposed while we asked; others may still answer
    }
    if (values.length) matches.push({ frameUrl: frame.url(), values });
  }
  return matches;
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BadRequest('body too large');
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error();
    return body;
  } catch {
    throw new BadRequest('body must be a JSON object');
  }
}
