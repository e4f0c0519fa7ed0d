// Lineage webview entry: toolbar (depth selectors, zoom, fit), truncation notice, the graph, and
// the typed channel to the host. Says `ready` once it listens; draws only validated messages.
import { DEPTH_CHOICES, LINEAGE_LIMITS, parseHostToLineage, type LineageGraphMessage, type LineageToHost } from '../src/dbt/lineageProtocol';
import { button, el } from './results/dom';
import { GraphView } from './lineage/graphView';
import { t } from './l10n';

interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeWebviewApi;

const api = acquireVsCodeApi();
const post = (m: LineageToHost) => api.postMessage(m);

const app = document.getElementById('app')!;
const title = el('h1', { class: 'title', text: t('Lineage') });
const live = el('div', { class: 'sr-only', attrs: { 'aria-live': 'polite' } });
const notice = el('div', { class: 'notice', attrs: { role: 'status' } });
notice.hidden = true;
const status = el('div', { class: 'status', attrs: { role: 'status' } });
const count = el('span', { class: 'count' });

function depthSelect(label: string, depthLabel: string, onChange: () => void): { wrap: HTMLElement; select: HTMLSelectElement } {
  const select = el('select', { attrs: { 'aria-label': depthLabel } });
  for (const d of DEPTH_CHOICES) {
    const option = el('option', { text: d === LINEAGE_LIMITS.maxDepth ? t('all') : String(d), attrs: { value: String(d) } });
    select.append(option);
  }
  select.addEventListener('change', onChange);
  return { wrap: el('label', { class: 'depth', text: `${label} ` }, select), select };
}

const sendDepth = () => post({ type: 'setDepth', upstream: Number(up.select.value), downstream: Number(down.select.value) });
const up = depthSelect(t('Upstream'), t('Upstream depth'), sendDepth);
const down = depthSelect(t('Downstream'), t('Downstream depth'), sendDepth);

const view = new GraphView({
  open: (id) => post({ type: 'openNode', id }),
  focus: (id) => post({ type: 'focusNode', id }),
  announce: (text) => (live.textContent = text),
});

const toolbar = el(
  'div',
  { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': t('Lineage controls') } },
  title,
  up.wrap,
  down.wrap,
  button('−', () => view.zoomBy(0.8), { title: t('Zoom out (-)'), attrs: { 'aria-label': t('Zoom out') } }),
  button('+', () => view.zoomBy(1.25), { title: t('Zoom in (+)'), attrs: { 'aria-label': t('Zoom in') } }),
  button(t('Fit'), () => view.fit(), { title: t('Fit (0)') }),
  count,
);
const help = el('div', { class: 'help', text: t('Click a node to open its file · Alt+click or F to show its lineage · arrows move · drag to pan · wheel to zoom') });
app.append(toolbar, notice, status, view.element, help, live);
app.setAttribute('aria-busy', 'false');

function setDepth(select: HTMLSelectElement, depth: number): void {
  const choice = DEPTH_CHOICES.find((d) => d >= depth) ?? LINEAGE_LIMITS.maxDepth;
  select.value = String(depth <= LINEAGE_LIMITS.maxDepth && (DEPTH_CHOICES as readonly number[]).includes(depth) ? depth : choice);
}

function showGraph(g: LineageGraphMessage): void {
  title.textContent = t('Lineage of {0}', g.focusName);
  setDepth(up.select, g.upstreamDepth);
  setDepth(down.select, g.downstreamDepth);
  // Counts as label and number, so no language needs a plural form here.
  count.textContent = t('Nodes: {0}, edges: {1}', g.nodes.length, g.edges.length);
  notice.hidden = !g.truncated;
  notice.textContent = g.truncated ? t('Showing {0} nodes: the lineage has more than the limit of {1}. Choose a smaller depth to see all of it.', g.nodes.length, g.maxNodes) : '';
  status.textContent = '';
  status.hidden = true;
  view.element.classList.remove('hidden');
  view.render(g);
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseHostToLineage(event.data);
  if (!msg) return;
  // Kept by VS Code across a window reload; the host's serializer reads it back.
  if (msg.type === 'remember') api.setState(msg.state);
  else if (msg.type === 'graph') showGraph(msg);
  else {
    status.hidden = false;
    status.textContent = msg.type === 'loading' ? t('Loading the lineage of {0}…', msg.focusName) : msg.message;
    status.classList.toggle('error', msg.type === 'error');
    if (msg.type === 'error') view.element.classList.add('hidden');
  }
});

post({ type: 'ready' });
