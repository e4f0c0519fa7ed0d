// The one way Gatehouse shows bytes, counts, numbers, durations and dates: Intl in the locale the
// caller passes (the VS Code glue passes vscode.env.language; the webviews read it from <html lang>).
// One unit system for sizes, binary IEC (KiB, MiB, GiB, TiB), because BigQuery bills and caps in
// binary units. Pure and free of Node and VS Code: the webviews import this file too.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

export type TimeInput = number | string | Date | null | undefined;

export interface FormatterOptions {
  /** BCP 47 tag such as 'en-US' or 'de'; undefined, empty or malformed means the runtime's default. */
  locale?: string;
  /** IANA zone for dates and times; undefined means the local zone. Tests pass 'UTC'. */
  timeZone?: string;
}

/** A locale tag Intl accepts, else undefined (a malformed tag makes Intl throw RangeError). */
export function safeLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

export class Formatter {
  readonly locale: string | undefined;
  private readonly timeZone: string | undefined;
  // Intl constructors are slow next to format(); the grid formats a count per visible row.
  private readonly numbers = new Map<string, Intl.NumberFormat>();
  private readonly dates = new Map<string, Intl.DateTimeFormat>();
  private relative: Intl.RelativeTimeFormat | undefined;
  private relativeNow: Intl.RelativeTimeFormat | undefined;

  constructor(options: FormatterOptions = {}) {
    this.locale = safeLocale(options.locale);
    this.timeZone = options.timeZone;
  }

  /** A whole count with grouping: "1,234,567" (en), "1.234.567" (de). */
  count(n: number | undefined): string {
    if (n === undefined || !Number.isFinite(n)) return '';
    return this.numberFormat('count', { maximumFractionDigits: 0 }).format(n);
  }

  /** A number with at most `maxFractionDigits` decimals: "1,234.5". */
  decimal(n: number | undefined, maxFractionDigits = 2): string {
    if (n === undefined || !Number.isFinite(n)) return '';
    return this.numberFormat(`decimal${maxFractionDigits}`, { maximumFractionDigits: maxFractionDigits }).format(n);
  }

  /** Short form for axis labels: "9,999", "15.3K", "2.35M" (locale words, e.g. "2,35 Mio."). */
  compact(n: number): string {
    if (!Number.isFinite(n)) return String(n);
    if (Math.abs(n) < 1e4) return this.decimal(n, 2);
    return this.numberFormat('compact', { notation: 'compact', maximumFractionDigits: 2 }).format(n);
  }

  /** An amount of money: "$1.50" (en-US), "1,50 $" (de). */
  currency(amount: number, currency: string): string {
    return this.numberFormat(`currency:${currency}`, { style: 'currency', currency }).format(amount);
  }

  /** A size in IEC units: "0 B", "512 B", "1.5 KiB", "12.3 MiB", "512 GiB"; '' when missing. */
  bytes(n: number | undefined): string {
    if (n === undefined || !Number.isFinite(n)) return '';
    if (n < 0) return `-${this.bytes(-n)}`;
    let i = 0;
    let v = n;
    while (v >= 1024 && i < BYTE_UNITS.length - 1) {
      v /= 1024;
      i++;
    }
    const digits = i === 0 || v >= 100 ? 0 : 1;
    // 1023.96 KiB would round to "1,024 KiB": show the next unit instead.
    const rounded = Number(v.toFixed(digits));
    if (rounded >= 1024 && i < BYTE_UNITS.length - 1) return `${this.decimal(1, 1)} ${BYTE_UNITS[i + 1]}`;
    return `${this.decimal(v, digits)} ${BYTE_UNITS[i]}`;
  }

  /** An elapsed time: "850 ms", "4.2 s", "3 min 12 s", "2 h 5 min", "3 d 4 h"; '' when missing or negative. */
  duration(ms: number | undefined): string {
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
    if (Math.round(ms) < 1_000) return `${this.count(Math.round(ms))} ms`;
    if (ms < 59_950) return `${this.decimal(ms / 1_000, 1)} s`;
    const total = Math.round(ms / 1_000);
    const pairs: Array<[number, string, number, string]> = [
      [86_400, 'd', 3_600, 'h'],
      [3_600, 'h', 60, 'min'],
      [60, 'min', 1, 's'],
    ];
    for (const [big, bigUnit, small, smallUnit] of pairs) {
      if (total < big) continue;
      const major = Math.floor(total / big);
      const minor = Math.floor((total - major * big) / small);
      return minor ? `${this.count(major)} ${bigUnit} ${this.count(minor)} ${smallUnit}` : `${this.count(major)} ${bigUnit}`;
    }
    return `${this.count(total)} s`;
  }

  /** "Feb 2, 2026" (en-US), "2 Feb 2026" (en-GB); '' when missing or unreadable. */
  date(t: TimeInput, timeZone = this.timeZone): string {
    return this.dateFormat('date', { dateStyle: 'medium' }, timeZone, t);
  }

  /** "Feb 2, 2026, 3:04 PM". */
  dateTime(t: TimeInput, timeZone = this.timeZone): string {
    return this.dateFormat('dateTime', { dateStyle: 'medium', timeStyle: 'short' }, timeZone, t);
  }

  /** "3:04 PM" (en-US), "15:04" (de). */
  time(t: TimeInput, timeZone = this.timeZone): string {
    return this.dateFormat('time', { timeStyle: 'short' }, timeZone, t);
  }

  /** How long ago `t` was, in the locale's words: "now", "5 minutes ago", "1 day ago", "3 days ago". */
  ago(t: TimeInput, now: number): string {
    const ms = toEpochMs(t);
    if (ms === undefined) return '';
    const s = Math.max(0, Math.round((now - ms) / 1_000));
    // 'always' keeps one shape ("1 day ago", not "yesterday"); only the first minute reads "now".
    if (s < 60) return (this.relativeNow ??= new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' })).format(0, 'second');
    this.relative ??= new Intl.RelativeTimeFormat(this.locale, { numeric: 'always' });
    if (s < 3_600) return this.relative.format(-Math.floor(s / 60), 'minute');
    if (s < 86_400) return this.relative.format(-Math.floor(s / 3_600), 'hour');
    return this.relative.format(-Math.floor(s / 86_400), 'day');
  }

  private numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    let f = this.numbers.get(key);
    if (!f) this.numbers.set(key, (f = new Intl.NumberFormat(this.locale, options)));
    return f;
  }

  private dateFormat(key: string, options: Intl.DateTimeFormatOptions, timeZone: string | undefined, t: TimeInput): string {
    const ms = toEpochMs(t);
    if (ms === undefined) return '';
    const cacheKey = `${key}|${timeZone ?? ''}`;
    let f = this.dates.get(cacheKey);
    if (!f) this.dates.set(cacheKey, (f = new Intl.DateTimeFormat(this.locale, { ...options, timeZone })));
    return f.format(ms);
  }
}

/** Epoch milliseconds of a number, ISO text or Date; undefined when missing or unreadable. */
function toEpochMs(t: TimeInput): number | undefined {
  if (t === null || t === undefined || t === '') return undefined;
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
