// A purpose-built streaming scanner for JSON documents shaped like dbt artifacts: one top-level
// object whose values are mostly maps of entries. It never holds the whole text: it finds where
// each top-level value and each entry of a chosen map starts and ends, hands those bytes to the
// handler (which JSON.parses one entry at a time), and skips the rest. It checks structure (bracket
// nesting, commas, colons, characters outside strings) so damage in skipped regions is still caught;
// what is inside captured entries is checked by JSON.parse.
//
// Works on bytes: every structural character is ASCII and UTF-8 continuation bytes are >= 0x80, so
// no decoding is needed. Strings are skipped with Buffer.indexOf('"'), which is what makes this fast.

export type TopLevelMode = 'entries' | 'spans' | 'capture' | 'skip';
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'literal';

export interface JsonScanHandler {
  /** Decides what to do with the value of a top-level key. */
  topLevelKey(key: string, kind: JsonKind): TopLevelMode;
  /** For 'capture' keys. `json` is undefined when it exceeded the entry limit. */
  topLevelValue?(key: string, json: Buffer | undefined, kind: JsonKind): void;
  /** For 'entries' (with bytes) and 'spans' (bytes undefined) keys whose value is an object. */
  entry(section: string, key: string, json: Buffer | undefined, start: number, end: number): void;
}

export type ScanFailure = 'empty' | 'truncated' | 'invalidJson' | 'notAnObject';

export class JsonScanError extends Error {
  constructor(
    readonly failure: ScanFailure,
    readonly offset: number,
  ) {
    super(`${failure} at byte ${offset}`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** 1: whitespace; 2: may appear in a number or true/false/null. */
const CLASS = new Uint8Array(256);
for (const c of ' \t\r\n') CLASS[c.charCodeAt(0)] = 1;
for (const c of '0123456789-+.eEtrufalsn') CLASS[c.charCodeAt(0)] = 2;

const enum St {
  Begin,
  KeyOrEnd, // just after '{' of the root or of a section
  Key, // after ',' in an object
  InKey,
  Colon,
  Value,
  AfterValue,
  InValue, // inside a value that is being skipped or captured
  Done,
}

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

export class ManifestJsonScanner {
  private state = St.Begin;
  /** 1 while in the root object, 2 while in a section's map. */
  private level = 0;
  private section = '';
  private sectionMode: TopLevelMode = 'skip';
  private key = '';
  private keyParts: Buffer[] = [];
  private keyFrom = 0;
  // The value being scanned.
  private depth = 0;
  private stack = new Uint8Array(64);
  private inString = false;
  private escapeNext = false;
  private valueKind: JsonKind = 'object';
  private valueStart = 0;
  private capture = false;
  private parts: Buffer[] = [];
  private partFrom = 0;
  private captured = 0;
  private oversized = false;
  private literal = '';
  private base = 0;
  private seenBytes = false;

  constructor(
    private readonly handler: JsonScanHandler,
    private readonly maxEntryBytes = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Bytes consumed so far. */
  get offset(): number {
    return this.base;
  }

  feed(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    if (this.base === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // BOM
    while (i < n) {
      switch (this.state) {
        case St.InValue:
          i = this.scanValue(chunk, i);
          break;
        case St.InKey:
          i = this.scanKey(chunk, i);
          break;
        default: {
          const c = chunk[i];
          if (CLASS[c] === 1) {
            i++;
            continue;
          }
          this.seenBytes = true;
          i = this.structural(i, c);
        }
      }
    }
    if (this.state === St.InValue && this.capture && !this.oversized) this.keepPart(chunk.subarray(this.partFrom));
    if (this.state === St.InKey) this.keyParts.push(chunk.subarray(this.keyFrom));
    this.partFrom = 0;
    this.keyFrom = 0;
    this.base += n;
  }

  end(): void {
    if (this.state === St.Done) return;
    if (!this.seenBytes) throw new JsonScanError('empty', this.base);
    throw new JsonScanError('truncated', this.base);
  }

  private fail(failure: ScanFailure, at: number): never {
    throw new JsonScanError(failure, this.base + at);
  }

  /** Handles one non-whitespace byte between values; returns where scanning resumes. */
  private structural(i: number, c: number): number {
    switch (this.state) {
      case St.Begin:
        if (c !== OPEN_OBJ) return this.fail(c === OPEN_ARR || c === QUOTE || CLASS[c] === 2 ? 'notAnObject' : 'invalidJson', i);
        this.level = 1;
        this.state = St.KeyOrEnd;
        return i + 1;
      case St.KeyOrEnd:
      case St.Key:
        if (c === CLOSE_OBJ && this.state === St.KeyOrEnd) {
          this.closeLevel();
          return i + 1;
        }
        if (c !== QUOTE) return this.fail('invalidJson', i);
        this.keyParts = [];
        this.keyFrom = i + 1;
        this.escapeNext = false;
        this.state = St.InKey;
        return i + 1;
      case St.Colon:
        if (c !== COLON) return this.fail('invalidJson', i);
        this.state = St.Value;
        return i + 1;
      case St.Value:
        return this.startValue(i, c);
      case St.AfterValue:
        if (c === COMMA) this.state = St.Key;
        else if (c === CLOSE_OBJ) this.closeLevel();
        else return this.fail('invalidJson', i);
        return i + 1;
      default:
        return this.fail('invalidJson', i);
    }
  }

  private closeLevel(): void {
    if (this.level === 2) {
      this.level = 1;
      this.state = St.AfterValue;
    } else {
      this.level = 0;
      this.state = St.Done;
    }
  }

  /** Returns where scanning resumes: numbers and literals are re-read from their first byte. */
  private startValue(i: number, c: number): number {
    const kind: JsonKind | undefined =
      c === OPEN_OBJ ? 'object' : c === OPEN_ARR ? 'array' : c === QUOTE ? 'string' : CLASS[c] === 2 ? (c === 0x74 || c === 0x66 || c === 0x6e ? 'literal' : 'number') : undefined;
    if (!kind) return this.fail('invalidJson', i);
    let capture = false;
    if (this.level === 1) {
      this.section = this.key;
      const mode = this.handler.topLevelKey(this.key, kind);
      if ((mode === 'entries' || mode === 'spans') && kind === 'object') {
        this.sectionMode = mode;
        this.level = 2;
        this.state = St.KeyOrEnd;
        return i + 1;
      }
      this.sectionMode = mode;
      capture = mode === 'capture';
    } else {
      capture = this.sectionMode === 'entries';
    }
    this.valueKind = kind;
    this.valueStart = this.base + i;
    this.capture = capture;
    this.parts = [];
    this.partFrom = i;
    this.captured = 0;
    this.oversized = false;
    this.literal = '';
    this.inString = kind === 'string';
    this.escapeNext = false;
    this.depth = 0;
    this.state = St.InValue;
    if (kind === 'number' || kind === 'literal') return i;
    if (kind !== 'string') this.push(c);
    return i + 1;
  }

  private push(c: number): void {
    if (this.depth === this.stack.length) {
      const bigger = new Uint8Array(this.stack.length * 2);
      bigger.set(this.stack);
      this.stack = bigger;
    }
    this.stack[this.depth++] = c;
  }

  private keepPart(part: Buffer): void {
    this.captured += part.length;
    if (this.captured > this.maxEntryBytes) {
      this.oversized = true;
      this.parts = [];
    } else {
      this.parts.push(part);
    }
  }

  /** Index of the closing quote of a string that continues at `i`, or -1 if it runs past the chunk. */
  private stringEnd(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.escapeNext) {
      this.escapeNext = false;
      i++;
    }
    // Most strings (keys, names) are short: a byte loop beats a native call for them.
    const stop = Math.min(n, i + 48);
    while (i < stop) {
      const c = buf[i];
      if (c === QUOTE) return i;
      i += c === BACKSLASH ? 2 : 1;
    }
    if (i >= n) {
      this.escapeNext = i > n;
      return -1;
    }
    for (;;) {
      const q = buf.indexOf(QUOTE, i);
      if (q < 0) {
        let k = n - 1;
        while (k >= i && buf[k] === BACKSLASH) k--;
        this.escapeNext = (n - 1 - k) % 2 === 1;
        return -1;
      }
      let k = q - 1;
      while (k >= i && buf[k] === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) return q;
      i = q + 1;
    }
  }

  private scanKey(buf: Buffer, i: number): number {
    const q = this.stringEnd(buf, i);
    if (q < 0) return buf.length;
    const last = buf.subarray(this.keyFrom, q);
    const raw = this.keyParts.length ? Buffer.concat([...this.keyParts, last]) : last;
    this.key = raw.includes(BACKSLASH) ? (JSON.parse(`"${raw.toString('utf8')}"`) as string) : raw.toString('utf8');
    this.state = St.Colon;
    return q + 1;
  }

  private scanValue(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.valueKind === 'number' || this.valueKind === 'literal') {
      // A scalar at section level: it ends at the first byte that cannot be part of it.
      while (i < n && CLASS[buf[i]] === 2) {
        if (this.literal.length < 40) this.literal += String.fromCharCode(buf[i]);
        i++;
      }
      return i < n ? this.finishValue(buf, i) : n;
    }
    while (i < n) {
      if (this.inString) {
        const q = this.stringEnd(buf, i);
        if (q < 0) return n;
        this.inString = false;
        i = q + 1;
        if (this.depth === 0) return this.finishValue(buf, i);
        continue;
      }
      const c = buf[i];
      if (c === QUOTE) {
        this.inString = true;
        i++;
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        this.push(c);
        i++;
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        // '{' + 2 === '}' and '[' + 2 === ']'
        if (this.stack[--this.depth] !== c - 2) this.fail('invalidJson', i);
        i++;
        if (this.depth === 0) return this.finishValue(buf, i);
      } else if (CLASS[c] === 0 && c !== COMMA && c !== COLON) {
        this.fail('invalidJson', i);
      } else {
        i++;
      }
    }
    return n;
  }

  /** `end` is the index just past the value in `buf`. Returns where scanning resumes. */
  private finishValue(buf: Buffer, end: number): number {
    if ((this.valueKind === 'number' || this.valueKind === 'literal') && !LITERAL.test(this.literal)) this.fail('invalidJson', end);
    let json: Buffer | undefined;
    if (this.capture) {
      this.keepPart(buf.subarray(this.partFrom, end));
      if (!this.oversized) json = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
      this.parts = [];
    }
    const stop = this.base + end;
    if (this.level === 2) {
      if (this.sectionMode === 'entries' || this.sectionMode === 'spans') this.handler.entry(this.section, this.key, this.oversized ? undefined : json, this.valueStart, stop);
    } else if (this.sectionMode === 'capture') {
      this.handler.topLevelValue?.(this.section, json, this.valueKind);
    }
    this.state = St.AfterValue;
    return end;
  }
}
