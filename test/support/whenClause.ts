// A strict evaluator of VS Code `when` clauses, for checking the menus package.json contributes
// against the context keys the extension sets. It follows the semantics of VS Code's context key
// expressions (has, !, ==, !=, =~, in, not in, <, <=, >, >=, &&, ||, parentheses) and, like VS
// Code, rejects what VS Code cannot parse (e.g. a quoted string where a key belongs): VS Code drops
// such a clause and then shows the menu item everywhere, so a parse error here is a failing test.

export type Context = Record<string, unknown>;
type Node = (c: Context) => boolean;

interface Token {
  kind: 'key' | 'str' | 'op' | 'regex' | 'lparen' | 'rparen' | 'eof';
  text: string;
  at: number;
}

const OPS = ['&&', '||', '==', '!=', '=~', '<=', '>=', '<', '>', '!'];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      out.push({ kind: ch === '(' ? 'lparen' : 'rparen', text: ch, at: i++ });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', text: op, at: i });
      i += op.length;
      if (op === '=~') {
        while (/\s/.test(src[i] ?? '')) i++;
        if (src[i] !== '/') throw new Error(`expected a regex after =~ at ${i} in: ${src}`);
        let j = i + 1;
        while (j < src.length && src[j] !== '/') j += src[j] === '\\' ? 2 : 1;
        if (j >= src.length) throw new Error(`unterminated regex at ${i} in: ${src}`);
        let k = j + 1;
        while (/[a-z]/.test(src[k] ?? '')) k++;
        out.push({ kind: 'regex', text: src.slice(i, k), at: i });
        i = k;
      }
      continue;
    }
    if (ch === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated string at ${i} in: ${src}`);
      out.push({ kind: 'str', text: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const m = /^[^\s()!=<>&|']+/.exec(src.slice(i));
    if (!m) throw new Error(`unexpected ${ch} at ${i} in: ${src}`);
    out.push({ kind: 'key', text: m[0], at: i });
    i += m[0].length;
  }
  out.push({ kind: 'eof', text: '', at: src.length });
  return out;
}

export function parseWhen(src: string): Node {
  const tokens = lex(src);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => tokens[p++];
  const fail = (what: string): never => {
    throw new Error(`${what} at ${peek().at} ("${peek().text}") in: ${src}`);
  };
  const value = (): string => {
    const t = peek();
    if (t.kind === 'key' || t.kind === 'str') return next().text;
    return fail('expected a value');
  };
  const primary = (): Node => {
    const t = peek();
    if (t.kind === 'op' && t.text === '!') {
      next();
      const inner = primary();
      return (c) => !inner(c);
    }
    if (t.kind === 'lparen') {
      next();
      const inner = or();
      if (next().kind !== 'rparen') fail('expected )');
      return inner;
    }
    if (t.kind !== 'key') return fail('expected a context key');
    const key = next().text;
    if (key === 'true') return () => true;
    if (key === 'false') return () => false;
    const o = peek();
    if (o.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(o.text)) {
      next();
      const v = value();
      const get = (c: Context) => c[key];
      switch (o.text) {
        case '==':
          // VS Code reads `key == true` / `key == false` as has / not.
          if (v === 'true') return (c) => !!get(c);
          if (v === 'false') return (c) => !get(c);
          // eslint-disable-next-line eqeqeq
          return (c) => get(c) == v;
        case '!=':
          if (v === 'true') return (c) => !get(c);
          if (v === 'false') return (c) => !!get(c);
          // eslint-disable-next-line eqeqeq
          return (c) => get(c) != v;
        case '<':
          return (c) => Number(get(c)) < Number(v);
        case '<=':
          return (c) => Number(get(c)) <= Number(v);
        case '>':
          return (c) => Number(get(c)) > Number(v);
        default:
          return (c) => Number(get(c)) >= Number(v);
      }
    }
    if (o.kind === 'op' && o.text === '=~') {
      next();
      const r = next();
      const close = r.text.lastIndexOf('/');
      const re = new RegExp(r.text.slice(1, close), r.text.slice(close + 1).replace(/[gy]/g, ''));
      return (c) => re.test(String(c[key]));
    }
    const inExpr = (valueKey: string): Node => (c) => {
      const source = c[valueKey];
      const item = c[key];
      if (Array.isArray(source)) return source.includes(item);
      if (typeof item === 'string' && typeof source === 'object' && source !== null) return Object.prototype.hasOwnProperty.call(source, item);
      return false;
    };
    if (o.kind === 'key' && o.text === 'in') {
      next();
      return inExpr(value());
    }
    if (o.kind === 'key' && o.text === 'not' && tokens[p + 1]?.text === 'in') {
      p += 2;
      const inner = inExpr(value());
      return (c) => !inner(c);
    }
    return (c) => !!c[key];
  };
  const and = (): Node => {
    let left = primary();
    while (peek().kind === 'op' && peek().text === '&&') {
      next();
      const l = left;
      const r = primary();
      left = (c) => l(c) && r(c);
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek().kind === 'op' && peek().text === '||') {
      next();
      const l = left;
      const r = and();
      left = (c) => l(c) || r(c);
    }
    return left;
  };
  const root = or();
  if (peek().kind !== 'eof') fail('unexpected token');
  return root;
}

export function evaluateWhen(src: string | undefined, context: Context): boolean {
  return src === undefined || src === '' ? true : parseWhen(src)(context);
}

export interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

/** The commands of a menu (e.g. `view/item/context`) that show for a context; `inline` ones only if asked. */
export function visibleCommands(menus: Record<string, MenuEntry[]>, menu: string, context: Context, opts: { inline?: boolean } = {}): string[] {
  return (menus[menu] ?? [])
    .filter((m) => opts.inline === undefined || (m.group?.startsWith('inline') ?? false) === opts.inline)
    .filter((m) => evaluateWhen(m.when, context))
    .map((m) => m.command);
}
