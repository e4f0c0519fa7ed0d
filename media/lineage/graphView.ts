// Draws a laid-out lineage graph as SVG (built with createElementNS, text via textContent) with
// pan (drag), zoom (wheel, buttons, +/-/0 keys) and keyboard navigation: one node is current
// (roving tabindex), arrows move along edges and within a layer, Enter opens its file, F makes it
// the focus of the lineage. Colours come from CSS classes that use the theme's variables.
import type { LineageGraphMessage, WireLineageNode } from '../../src/dbt/lineageProtocol';
import { t } from '../l10n';
import { svg } from '../results/dom';

export interface GraphViewEvents {
  open(id: string): void;
  focus(id: string): void;
  announce(text: string): void;
}

interface Transform {
  x: number;
  y: number;
  k: number;
}

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 3;
const PAD = 24;
const READABLE_ZOOM = 0.6;

export class GraphView {
  readonly element: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private graph: LineageGraphMessage | undefined;
  private nodeEls: SVGGElement[] = [];
  private edgeEls: SVGPathElement[] = [];
  private edgesOf: number[][] = [];
  private parents: number[][] = [];
  private children: number[][] = [];
  private current = -1;
  private t: Transform = { x: 0, y: 0, k: 1 };
  private drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;

  constructor(private readonly events: GraphViewEvents) {
    this.viewport = svg('g', { class: 'viewport' });
    this.element = svg('svg', { class: 'graph', role: 'group', 'aria-roledescription': t('lineage graph') }, this.viewport);
    this.element.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.element.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.element.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.element.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    // Until the person pans or zooms, the picture follows the panel's size.
    new ResizeObserver(() => {
      if (!this.userMoved && this.graph) this.fit(this.focusIndex());
    }).observe(this.element);
  }

  private userMoved = false;

  private focusIndex(): number {
    return this.graph ? Math.max(0, this.graph.nodes.findIndex((x) => x.id === this.graph!.focusId)) : -1;
  }

  render(graph: LineageGraphMessage): void {
    this.graph = graph;
    this.viewport.replaceChildren();
    const n = graph.nodes.length;
    this.parents = Array.from({ length: n }, () => []);
    this.children = Array.from({ length: n }, () => []);
    this.edgesOf = Array.from({ length: n }, () => []);
    const edgeLayer = svg('g', { class: 'edges', 'aria-hidden': 'true' });
    const nodeLayer = svg('g', { class: 'nodes' });
    const w = graph.nodeWidth;
    const h = graph.nodeHeight;
    this.edgeEls = graph.edges.map(([a, b], i) => {
      this.children[a].push(b);
      this.parents[b].push(a);
      this.edgesOf[a].push(i);
      this.edgesOf[b].push(i);
      const p = graph.nodes[a];
      const c = graph.nodes[b];
      const x1 = p.x + w;
      const y1 = p.y + h / 2;
      const x2 = c.x;
      const y2 = c.y + h / 2;
      const mx = (x1 + x2) / 2;
      return svg('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: 'edge' });
    });
    edgeLayer.append(...this.edgeEls);
    this.nodeEls = graph.nodes.map((node, i) => this.nodeElement(node, i, w, h, node.id === graph.focusId));
    nodeLayer.append(...this.nodeEls);
    this.viewport.append(edgeLayer, nodeLayer);
    const focusIndex = this.focusIndex();
    this.current = -1;
    this.userMoved = false;
    if (n > 0) this.select(focusIndex, false);
    this.fit(focusIndex);
  }

  zoomBy(factor: number, cx?: number, cy?: number): void {
    this.userMoved = true;
    const rect = this.element.getBoundingClientRect();
    const x = cx ?? rect.width / 2;
    const y = cy ?? rect.height / 2;
    const k = clamp(this.t.k * factor, MIN_ZOOM, MAX_ZOOM);
    this.t = { k, x: x - ((x - this.t.x) * k) / this.t.k, y: y - ((y - this.t.y) * k) / this.t.k };
    this.apply();
  }

  /** Whole graph when it is legible that way, else readable size centred on the focus node. */
  fit(centerOn = this.current): void {
    const g = this.graph;
    if (!g) return;
    const rect = this.element.getBoundingClientRect();
    const vw = Math.max(100, rect.width);
    const vh = Math.max(100, rect.height);
    const whole = Math.min((vw - 2 * PAD) / Math.max(1, g.width), (vh - 2 * PAD) / Math.max(1, g.height));
    // Below ~60 % the labels are unreadable: then show the focus at a readable size instead.
    if (whole >= READABLE_ZOOM || centerOn < 0) {
      const k = Math.min(whole, 1.25);
      this.t = { k, x: (vw - g.width * k) / 2, y: (vh - g.height * k) / 2 };
    } else {
      const k = 0.85;
      const node = g.nodes[centerOn];
      this.t = { k, x: vw / 2 - (node.x + g.nodeWidth / 2) * k, y: vh / 2 - (node.y + g.nodeHeight / 2) * k };
    }
    this.apply();
  }

  private nodeElement(node: WireLineageNode, i: number, w: number, h: number, isFocus: boolean): SVGGElement {
    const kind = node.resourceType.replace(/[^a-z_]/g, '');
    const label = node.name.length > 26 ? `${node.name.slice(0, 25)}…` : node.name;
    const sub = [node.resourceType.replace('_', ' '), node.materialization && node.materialization !== node.resourceType ? node.materialization : ''].filter(Boolean).join(' · ');
    const title = svg('title');
    title.textContent = node.packageName ? t('{0} ({1}) in {2}', node.name, sub, node.packageName) : `${node.name} (${sub})`;
    const name = svg('text', { x: 12, y: 15, class: 'name' });
    name.textContent = label;
    const detail = svg('text', { x: 12, y: 28, class: 'detail' });
    detail.textContent = sub;
    const g = svg(
      'g',
      {
        class: `node t-${kind}${isFocus ? ' focus' : ''}${node.hasFile ? ' has-file' : ''}`,
        transform: `translate(${node.x},${node.y})`,
        tabindex: -1,
        role: 'button',
        'aria-label': isFocus
          ? node.hasFile
            ? t('{0}, {1}, focus', node.name, sub)
            : t('{0}, {1}, focus, no file', node.name, sub)
          : node.hasFile
            ? `${node.name}, ${sub}`
            : t('{0}, {1}, no file', node.name, sub),
        'data-id': node.id,
      },
      title,
      svg('rect', { class: 'box', width: w, height: h, rx: 4 }),
      svg('rect', { class: 'band', width: 5, height: h, rx: 2 }),
      name,
      detail,
    );
    g.addEventListener('click', (e) => {
      if (this.drag?.moved) return;
      this.select(i, false);
      if (e.altKey || e.metaKey || e.ctrlKey) this.events.focus(node.id);
      else if (node.hasFile) this.events.open(node.id);
    });
    g.addEventListener('dblclick', () => this.events.focus(node.id));
    return g;
  }

  private select(i: number, reveal: boolean): void {
    const g = this.graph;
    if (!g || i < 0 || i >= this.nodeEls.length) return;
    if (this.current >= 0) {
      this.nodeEls[this.current]?.setAttribute('tabindex', '-1');
      this.nodeEls[this.current]?.classList.remove('current');
      for (const e of this.edgesOf[this.current] ?? []) this.edgeEls[e].classList.remove('hl');
    }
    this.current = i;
    const el = this.nodeEls[i];
    el.setAttribute('tabindex', '0');
    el.classList.add('current');
    for (const e of this.edgesOf[i]) this.edgeEls[e].classList.add('hl');
    if (reveal) {
      el.focus();
      this.reveal(i);
      const node = g.nodes[i];
      this.events.announce(t('{0}: parents shown: {1}, children shown: {2}', node.name, this.parents[i].length, this.children[i].length));
    }
  }

  private reveal(i: number): void {
    const g = this.graph!;
    const node = g.nodes[i];
    const rect = this.element.getBoundingClientRect();
    const sx = node.x * this.t.k + this.t.x;
    const sy = node.y * this.t.k + this.t.y;
    const w = g.nodeWidth * this.t.k;
    const h = g.nodeHeight * this.t.k;
    if (sx < PAD || sy < PAD || sx + w > rect.width - PAD || sy + h > rect.height - PAD) {
      this.t = { ...this.t, x: rect.width / 2 - (node.x + g.nodeWidth / 2) * this.t.k, y: rect.height / 2 - (node.y + g.nodeHeight / 2) * this.t.k };
      this.apply();
    }
  }

  /** The nearest node in `candidates` to node i, by vertical distance. */
  private nearest(i: number, candidates: number[]): number {
    const y = this.graph!.nodes[i].y;
    let best = -1;
    for (const c of candidates) if (best < 0 || Math.abs(this.graph!.nodes[c].y - y) < Math.abs(this.graph!.nodes[best].y - y)) best = c;
    return best;
  }

  private sameColumn(i: number, direction: 1 | -1): number {
    const nodes = this.graph!.nodes;
    const { x, y } = nodes[i];
    let best = -1;
    nodes.forEach((n, k) => {
      if (k === i || n.x !== x || (n.y - y) * direction <= 0) return;
      if (best < 0 || Math.abs(n.y - y) < Math.abs(nodes[best].y - y)) best = k;
    });
    return best;
  }

  private onKey(e: KeyboardEvent): void {
    const g = this.graph;
    if (!g || this.current < 0) return;
    let next = -1;
    switch (e.key) {
      case 'ArrowLeft':
        next = this.nearest(this.current, this.parents[this.current]);
        break;
      case 'ArrowRight':
        next = this.nearest(this.current, this.children[this.current]);
        break;
      case 'ArrowUp':
        next = this.sameColumn(this.current, -1);
        break;
      case 'ArrowDown':
        next = this.sameColumn(this.current, 1);
        break;
      case 'Home':
        next = Math.max(0, g.nodes.findIndex((n) => n.id === g.focusId));
        break;
      case 'Enter':
      case ' ':
        if (g.nodes[this.current].hasFile) this.events.open(g.nodes[this.current].id);
        else this.events.announce(t('{0} has no file to open', g.nodes[this.current].name));
        break;
      case 'f':
      case 'F':
        this.events.focus(g.nodes[this.current].id);
        break;
      case '+':
      case '=':
        this.zoomBy(1.25);
        break;
      case '-':
        this.zoomBy(0.8);
        break;
      case '0':
        this.fit();
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next >= 0) this.select(next, true);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.element.getBoundingClientRect();
    this.zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, y: e.clientY, tx: this.t.x, ty: this.t.y, moved: false };
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) this.element.setPointerCapture(e.pointerId);
    d.moved = true;
    this.userMoved = true;
    this.element.classList.add('panning');
    this.t = { ...this.t, x: d.tx + dx, y: d.ty + dy };
    this.apply();
  }

  private onPointerUp(e: PointerEvent): void {
    if (this.element.hasPointerCapture(e.pointerId)) this.element.releasePointerCapture(e.pointerId);
    this.element.classList.remove('panning');
    // The click that ends a drag must not open a file: cleared after the click event ran.
    setTimeout(() => (this.drag = undefined), 0);
  }

  private apply(): void {
    this.viewport.setAttribute('transform', `translate(${this.t.x},${this.t.y}) scale(${this.t.k})`);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
