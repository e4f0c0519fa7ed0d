import type * as vscode from 'vscode';
import type { LogSink } from '../core/logger';

/** The LogOutputChannel is the one sink of the extension's logger (levels follow the user's choice). */
export function outputChannelSink(channel: vscode.LogOutputChannel): LogSink {
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
}
