// Just enough of the `vscode` module to run the bundle's activate() in plain Node, for the
// activation benchmark: the classes the extension constructs are small real ones; everything
// else (window, commands, languages, ...) is an inert stand-in that accepts any call and returns
// another stand-in. Settings read as their defaults, secrets and state live in memory. Nothing
// here decides whether activation is correct: the integration tier does that in a real VS Code.
import { pathToFileURL } from 'node:url';

type Listener<T> = (e: T) => unknown;

/** Any property, call or `new` gives another inert value; not a thenable, prints as ''. */
export function inert(): any {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {} as unknown as Record<PropertyKey, unknown>;
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === 'toString' || prop === 'valueOf' || prop === 'toJSON') return () => '';
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'length') return 0;
      if (!cache.has(prop)) cache.set(prop, inert());
      return cache.get(prop);
    },
    set(_t, prop, value) {
      cache.set(prop, value);
      return true;
    },
    apply: () => inert(),
    construct: () => inert(),
  });
}

class Disposable {
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  constructor(private readonly onDispose: () => unknown) {}
  dispose(): void {
    this.onDispose();
  }
}

class EventEmitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>) => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(text: string): Uri {
    return new Uri(text.split(':')[0] ?? 'file', text);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
  get path(): string {
    return this.fsPath;
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return this.scheme === 'file' ? pathToFileURL(this.fsPath).href : this.fsPath;
  }
}

/** Plain records for what the extension builds and hands to VS Code. */
class Record_ {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    this.args = args;
  }
}

const enumOf = (...names: string[]) => Object.fromEntries(names.map((n, i) => [n, i + 1]));

class MemorySecrets {
  private readonly values = new Map<string, string>();
  private readonly changed = new EventEmitter<{ key: string }>();
  readonly onDidChange = this.changed.event;
  async get(key: string) {
    return this.values.get(key);
  }
  async store(key: string, value: string) {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string) {
    this.values.delete(key);
    this.changed.fire({ key });
  }
}

class MemoryMemento {
  private readonly values = new Map<string, unknown>();
  keys() {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown) {
    this.values.set(key, value);
  }
  setKeysForSync(): void {}
}

export function fakeVscode(): Record<string, unknown> {
  const configuration = { get: (_key: string, fallback?: unknown) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
  const event = () => new Disposable(() => undefined);
  const base = inert();
  const workspace = new Proxy(
    { getConfiguration: () => configuration, workspaceFolders: undefined, isTrusted: true, onDidChangeConfiguration: event, onDidGrantWorkspaceTrust: event, findFiles: async () => [] },
    { get: (t, p) => (p in t ? t[p as keyof typeof t] : base.workspace[p]) },
  );
  const env = { language: 'en', appHost: 'desktop', appName: 'Fake', uiKind: 1, remoteName: undefined, machineId: 'bench', sessionId: 'bench', clipboard: inert(), openExternal: async () => true, asExternalUri: async (u: Uri) => u };
  const real: Record<string, unknown> = {
    version: '1.100.0',
    Disposable,
    EventEmitter,
    Uri,
    TreeItem: Record_,
    ThemeIcon: Record_,
    ThemeColor: Record_,
    MarkdownString: class extends Record_ {
      appendText() {
        return this;
      }
      appendMarkdown() {
        return this;
      }
    },
    Range: Record_,
    Position: Record_,
    Selection: Record_,
    CodeLens: Record_,
    Diagnostic: Record_,
    Task: Record_,
    ProcessExecution: Record_,
    ShellExecution: Record_,
    RelativePattern: Record_,
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    UIKind: { Desktop: 1, Web: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    TaskScope: { Global: 1, Workspace: 2 },
    TaskGroup: inert(),
    TaskRevealKind: enumOf('Always', 'Silent', 'Never'),
    TaskPanelKind: enumOf('Shared', 'Dedicated', 'New'),
    LogLevel: enumOf('Trace', 'Debug', 'Info', 'Warning', 'Error'),
    workspace,
    env,
  };
  // The bundle copies the module's own keys (esbuild's ESM interop): every namespace must be one.
  for (const ns of ['window', 'commands', 'languages', 'authentication', 'tasks', 'extensions', 'debug', 'scm', 'l10n', 'tests', 'notebooks', 'comments']) real[ns] = base[ns];
  return new Proxy(real, { get: (t, p) => (p in t ? t[p as string] : base[p]) });
}

/** An ExtensionContext for activate(): real subscriptions, secrets and state in memory. */
export function fakeContext(extensionPath: string, storagePath: string, packageJSON: unknown) {
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(storagePath),
    storageUri: Uri.file(storagePath),
    logUri: Uri.file(storagePath),
    globalState: new MemoryMemento(),
    workspaceState: new MemoryMemento(),
    secrets: new MemorySecrets(),
    extensionMode: 1,
    extension: { id: 'gatehouse.gatehouse', packageJSON, extensionPath },
    environmentVariableCollection: inert(),
    asAbsolutePath: (p: string) => `${extensionPath}/${p}`,
  };
}
