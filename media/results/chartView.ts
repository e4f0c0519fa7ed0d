// Draws a ChartModel as SVG built with createElementNS; colours come from the theme through CSS
// classes (results.css), labels through textContent. No network, no canvas fonts to load.
import { svg } from './dom';
import type { Formatter } from '../../src/core/format';
import { formatTick, niceTicks, type ChartKind, type ChartModel } from './chartModel';
import { t } from '../l10n';

const MARGIN = { top: 16, right: 20, bottom: 56, left: 64 };

/**
 * A chart kind's words: its button, the caption above the chart and the picture's title. Whole
 * messages for each kind, since a kind's name changes with the word it joins in many languages.
 */
export function chartKindText(kind: ChartKind): { label: string; caption: (notes: string) => string; title: (y: string, x: string) => string } {
  switch (kind) {
    case 'bar':
      return { label: t('Bar'), caption: (notes) => t('Bar chart: {0}', notes), title: (y, x) => t('Bar chart of {0} by {1}', y, x) };
    case 'line':
      return { label: t('Line'), caption: (notes) => t('Line chart: {0}', notes), title: (y, x) => t('Line chart of {0} by {1}', y, x) };
    case 'area':
      return { label: t('Area'), caption: (notes) => t('Area chart: {0}', notes), title: (y, x) => t('Area chart of {0} by {1}', y, x) };
    case 'scatter':
      return { label: t('Scatter'), caption: (notes) => t('Scatter chart: {0}', notes), title: (y, x) => t('Scatter chart of {0} by {1}', y, x) };
    case 'pie':
      return { label: t('Pie'), caption: (notes) => t('Pie chart: {0}', notes), title: (y, x) => t('Pie chart of {0} by {1}', y, x) };
  }
}

export function drawChart(model: ChartModel, width: number, height: number, labels: { x: string; y: string }, fmt: Formatter): SVGSVGElement {
  const root = svg('svg', { class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const title = svg('title');
  title.textContent = chartKindText(model.kind).title(labels.y, labels.x);
  root.append(title);
  if (model.kind === 'pie') {
    root.append(drawPie(model, width, height, fmt));
    return root;
  }
  const w = Math.max(10, width - MARGIN.left - MARGIN.right);
  const h = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const sx = (x: number) => MARGIN.left + ((x - model.xMin) / (model.xMax - model.xMin)) * w;
  const sy = (y: number) => MARGIN.top + h - ((y - model.yMin) / (model.yMax - model.yMin)) * h;

  const grid = svg('g', { class: 'chart-grid' });
  const axes = svg('g', { class: 'chart-axis' });
  for (const t of niceTicks(model.yMin, model.yMax, Math.max(2, Math.floor(h / 50)))) {
    grid.append(svg('line', { x1: MARGIN.left, x2: MARGIN.left + w, y1: sy(t), y2: sy(t) }));
    axes.append(text(formatTick(t, 'number', fmt), MARGIN.left - 6, sy(t) + 4, 'end'));
  }
  if (model.xKind === 'category') {
    const n = model.categories.length || model.points.length;
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(w / 60))));
    for (let i = 0; i < n; i += every) {
      const label = model.categories[i] ?? String(i + 1);
      const t = text(label.length > 14 ? `${label.slice(0, 13)}…` : label, sx(i), MARGIN.top + h + 16, 'middle');
      axes.append(t);
    }
  } else {
    for (const t of niceTicks(model.xMin, model.xMax, Math.max(2, Math.floor(w / 110)))) {
      grid.append(svg('line', { x1: sx(t), x2: sx(t), y1: MARGIN.top, y2: MARGIN.top + h }));
      axes.append(text(formatTick(t, model.xKind, fmt), sx(t), MARGIN.top + h + 16, 'middle'));
    }
  }
  axes.append(svg('line', { class: 'baseline', x1: MARGIN.left, x2: MARGIN.left + w, y1: sy(Math.max(model.yMin, Math.min(0, model.yMax))), y2: sy(Math.max(model.yMin, Math.min(0, model.yMax))) }));
  axes.append(text(labels.x, MARGIN.left + w / 2, height - 12, 'middle', 'axis-title'));
  const yTitle = text(labels.y, 0, 0, 'middle', 'axis-title');
  yTitle.setAttribute('transform', `translate(14 ${MARGIN.top + h / 2}) rotate(-90)`);
  axes.append(yTitle);
  root.append(grid, axes);

  const marks = svg('g', { class: `chart-marks ${model.kind}` });
  if (model.kind === 'bar') {
    const band = w / Math.max(1, model.categories.length);
    const zero = sy(Math.max(model.yMin, Math.min(0, model.yMax)));
    model.points.forEach((p, i) => {
      const y = sy(p.y);
      const bar = svg('rect', { x: sx(p.x) - band * 0.4, width: Math.max(1, band * 0.8), y: Math.min(y, zero), height: Math.max(1, Math.abs(zero - y)) });
      const tip = svg('title');
      tip.textContent = `${model.categories[i]}: ${p.y}`;
      bar.append(tip);
      marks.append(bar);
    });
  } else if (model.kind === 'line' || model.kind === 'area') {
    const line = model.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
    if (model.kind === 'area' && model.points.length) {
      // The area fills down to zero (the axis starts there), closed along the baseline.
      const zero = sy(Math.max(model.yMin, Math.min(0, model.yMax))).toFixed(1);
      const first = sx(model.points[0].x).toFixed(1);
      const last = sx(model.points[model.points.length - 1].x).toFixed(1);
      marks.append(svg('path', { class: 'fill', d: `M${first},${zero}L${line.join('L')}L${last},${zero}Z` }));
    }
    marks.append(svg('polyline', { points: line.join(' ') }));
  } else {
    // One path of tiny circles: thousands of points stay a single element.
    const r = model.points.length > 2_000 ? 1.5 : 2.5;
    const d = model.points.map((p) => `M${(sx(p.x) - r).toFixed(1)},${sy(p.y).toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join('');
    marks.append(svg('path', { d }));
  }
  root.append(marks);
  return root;
}

const SLICE_COLOURS = 6;

/** Slices clockwise from twelve o'clock, largest first, with a legend of label, value and share. */
function drawPie(model: ChartModel, width: number, height: number, fmt: Formatter): SVGGElement {
  const marks = svg('g', { class: 'chart-marks pie' });
  const total = model.points.reduce((sum, p) => sum + p.y, 0);
  const legendWidth = Math.min(240, Math.max(120, width * 0.35));
  const r = Math.max(10, Math.min((width - legendWidth) / 2, height / 2) - 16);
  const cx = 16 + r;
  const cy = height / 2;
  let angle = -Math.PI / 2;
  model.points.forEach((p, i) => {
    const share = total > 0 ? p.y / total : 0;
    const label = `${model.categories[i]}: ${fmt.compact(p.y)} (${fmt.decimal(share * 100, 1)}%)`;
    const cls = `slice c${i % SLICE_COLOURS}`;
    let mark: SVGElement;
    if (share >= 0.9999) {
      mark = svg('circle', { class: cls, cx, cy, r });
    } else {
      const end = angle + share * 2 * Math.PI;
      const large = share > 0.5 ? 1 : 0;
      const [x1, y1] = [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
      const [x2, y2] = [cx + r * Math.cos(end), cy + r * Math.sin(end)];
      mark = svg('path', { class: cls, d: `M${cx.toFixed(1)},${cy.toFixed(1)}L${x1.toFixed(1)},${y1.toFixed(1)}A${r.toFixed(1)},${r.toFixed(1)} 0 ${large},1 ${x2.toFixed(1)},${y2.toFixed(1)}Z` });
      angle = end;
    }
    const tip = svg('title');
    tip.textContent = label;
    mark.append(tip);
    marks.append(mark);
    const ly = 20 + i * 18;
    if (ly < height - 8) {
      marks.append(svg('rect', { class: cls, x: cx + r + 24, y: ly - 10, width: 10, height: 10 }));
      marks.append(text(label.length > 40 ? `${label.slice(0, 39)}…` : label, cx + r + 40, ly, 'start', 'legend'));
    }
  });
  return marks;
}

function text(value: string, x: number, y: number, anchor: 'start' | 'middle' | 'end', cls = ''): SVGTextElement {
  const t = svg('text', { x, y, 'text-anchor': anchor, ...(cls ? { class: cls } : {}) });
  t.textContent = value;
  return t;
}
