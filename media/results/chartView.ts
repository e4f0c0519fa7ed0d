// Draws a ChartModel as SVG built with createElementNS; colours come from the theme through CSS
// classes (results.css), labels through textContent. No network, no canvas fonts to load.
import { svg } from './dom';
import type { Formatter } from '../../src/core/format';
import { formatTick, niceTicks, type ChartModel } from './chartModel';

const MARGIN = { top: 16, right: 20, bottom: 56, left: 64 };

export function drawChart(model: ChartModel, width: number, height: number, labels: { x: string; y: string }, fmt: Formatter): SVGSVGElement {
  const root = svg('svg', { class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const title = svg('title');
  title.textContent = `${model.kind} chart of ${labels.y} by ${labels.x}`;
  root.append(title);
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
  } else if (model.kind === 'line') {
    marks.append(svg('polyline', { points: model.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ') }));
  } else {
    // One path of tiny circles: thousands of points stay a single element.
    const r = model.points.length > 2_000 ? 1.5 : 2.5;
    const d = model.points.map((p) => `M${(sx(p.x) - r).toFixed(1)},${sy(p.y).toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`).join('');
    marks.append(svg('path', { d }));
  }
  root.append(marks);
  return root;
}

function text(value: string, x: number, y: number, anchor: 'start' | 'middle' | 'end', cls = ''): SVGTextElement {
  const t = svg('text', { x, y, 'text-anchor': anchor, ...(cls ? { class: cls } : {}) });
  t.textContent = value;
  return t;
}
