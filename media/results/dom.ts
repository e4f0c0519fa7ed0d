// DOM construction for the webview. Text goes in through textContent and attributes through
// setAttribute only: no markup strings are ever parsed, so data cannot become elements.

type Child = Node | string | undefined | false;

export interface ElementProps {
  class?: string;
  text?: string;
  attrs?: Record<string, string>;
  title?: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const child of children) if (child) node.append(child);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) if (child) node.append(child);
  return node;
}

export function button(label: string, onClick: (e: MouseEvent) => void, props: ElementProps = {}): HTMLButtonElement {
  const b = el('button', { ...props, text: label, attrs: { type: 'button', ...(props.attrs ?? {}) } });
  b.addEventListener('click', onClick);
  return b;
}

/** A button that opens a small menu of actions (keyboard: arrows, Enter, Escape). */
export function menuButton(label: string, items: Array<{ label: string; run: () => void }>, props: ElementProps = {}): HTMLElement {
  const wrap = el('div', { class: 'menu-wrap' });
  const menu = el('div', { class: 'menu', attrs: { role: 'menu', hidden: '' } });
  const trigger = el('button', { ...props, text: `${label} ▾`, attrs: { type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', ...(props.attrs ?? {}) } });
  const close = () => {
    menu.hidden = true;
    trigger.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
  };
  const outside = (e: Event) => {
    if (!wrap.contains(e.target as Node)) close();
  };
  const entries = items.map((item) => {
    const b = el('button', { class: 'menu-item', text: item.label, attrs: { type: 'button', role: 'menuitem' } });
    b.addEventListener('click', () => {
      close();
      trigger.focus();
      item.run();
    });
    return b;
  });
  menu.append(...entries);
  trigger.addEventListener('click', () => {
    if (!menu.hidden) return close();
    menu.hidden = false;
    trigger.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', outside, true);
    entries[0]?.focus();
  });
  menu.addEventListener('keydown', (e) => {
    const at = entries.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      close();
      trigger.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const next = (at + (e.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length;
      entries[next]?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  });
  wrap.append(trigger, menu);
  return wrap;
}
