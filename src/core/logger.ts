// One logger for the whole extension. In VS Code its sink is a LogOutputChannel; in tests, an
// array. Every argument passes through redaction before it reaches the sink.
import { redactValue, type SecretRegistry } from './redact';

export interface LogSink {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** A logger whose lines are prefixed with `[scope]`. */
  child(scope: string): Logger;
}

type Level = keyof LogSink;

export class RedactingLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly secrets?: SecretRegistry,
    private readonly scope?: string,
  ) {}

  trace(message: string, ...args: unknown[]): void {
    this.write('trace', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.write('debug', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.write('info', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.write('warn', message, args);
  }
  error(message: string, ...args: unknown[]): void {
    this.write('error', message, args);
  }

  child(scope: string): Logger {
    return new RedactingLogger(this.sink, this.secrets, this.scope ? `${this.scope}/${scope}` : scope);
  }

  private write(level: Level, message: string, args: unknown[]): void {
    const parts = [message, ...args.map((a) => redactValue(a, this.secrets))];
    const line = redactValue(parts.join(' '), this.secrets);
    this.sink[level](this.scope ? `[${this.scope}] ${line}` : line);
  }
}

/** A sink that keeps lines in memory: tests read them back to prove nothing secret was logged. */
export class MemoryLogSink implements LogSink {
  readonly lines: string[] = [];
  trace(m: string): void {
    this.lines.push(`trace ${m}`);
  }
  debug(m: string): void {
    this.lines.push(`debug ${m}`);
  }
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
}
