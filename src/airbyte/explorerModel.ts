// What the Airbyte tree shows, without VS Code: workspaces, their connections with source and
// destination names, health from the last job and recent jobs, and answers that are not data
// (nothing shared, no access, not configured) as message nodes. Keys are stable ids, so a refresh
// keeps what was expanded.
import { auditedRead, type AccessAuditDeps } from '../audit/recordAccess';
import { Emitter } from '../core/event';
import type { Logger } from '../core/logger';
import type { AirbyteClient } from './client';
import { toAirbyteError, type AirbyteError } from './errors';
import { connectionHealth, failureReason, type ConnectionHealth } from './present';
import type { Connection, Job, Workspace } from './types';
import { t } from '../core/l10n';

export interface WorkspaceNode {
  kind: 'workspace';
  key: string;
  workspace: Workspace;
}

export interface ConnectionNode {
  kind: 'connection';
  key: string;
  workspace: Workspace;
  connection: Connection;
  sourceName?: string;
  destinationName?: string;
  /** Newest first. */
  jobs: Job[];
  health: ConnectionHealth;
  /** Set when the jobs could not be read (the connection is still listed). */
  jobsError?: AirbyteError;
  /** Why the last job failed (its last attempt's failure, from the config API), when it did and Airbyte says. */
  failure?: string;
}

export interface JobNode {
  kind: 'job';
  key: string;
  workspaceId: string;
  connection: Connection;
  job: Job;
}

export interface MessageNode {
  kind: 'message';
  key: string;
  text: string;
  detail?: string;
  severity: 'info' | 'error';
  error?: AirbyteError;
}

export type AirbyteNode = WorkspaceNode | ConnectionNode | JobNode | MessageNode;

export interface ExplorerModelOptions {
  /** The current client, or throws an AirbyteError (not configured, not signed in). */
  client: () => AirbyteClient;
  logger?: Logger;
  /** Jobs shown under a connection (default 5). */
  recentJobs?: number;
  /** One audit record per listing (workspaces, a workspace's connections), not per row. */
  audit?: AccessAuditDeps;
}

export class AirbyteExplorerModel {
  private readonly changed = new Emitter<string | undefined>();
  /** Fires with a node key whose item or children changed, or undefined for everything. */
  readonly onDidChange = this.changed.event;
  private readonly connections = new Map<string, ConnectionNode>();
  private readonly names = new Map<string, Promise<string | undefined>>();
  private readonly failures = new Map<number, Promise<string | undefined>>();
  private generation = 0;

  constructor(private readonly opts: ExplorerModelOptions) {}

  async children(parent?: AirbyteNode): Promise<AirbyteNode[]> {
    if (!parent) return this.roots();
    if (parent.kind === 'workspace') return this.workspaceChildren(parent);
    if (parent.kind === 'connection') return this.jobNodes(parent);
    return [];
  }

  /** The connection as last loaded. */
  connection(connectionId: string): ConnectionNode | undefined {
    return this.connections.get(connectionId);
  }

  /** Everything again from the server. */
  refresh(): void {
    this.generation++;
    this.connections.clear();
    this.names.clear();
    this.changed.fire(undefined);
  }

  /** Re-reads one connection's jobs (after a trigger, on a followed job's change) and announces it. */
  async refreshConnection(connectionId: string, signal?: AbortSignal): Promise<ConnectionNode | undefined> {
    const node = this.connections.get(connectionId);
    if (!node) return undefined;
    await this.loadJobs(node, signal);
    this.changed.fire(node.key);
    return node;
  }

  /** Puts a job answer we already have (from a follower) into the tree without another request. */
  applyJob(job: Job): void {
    const node = this.connections.get(job.connectionId);
    if (!node) return;
    const i = node.jobs.findIndex((j) => j.jobId === job.jobId);
    if (i >= 0) node.jobs[i] = job;
    else node.jobs = [job, ...node.jobs].slice(0, this.opts.recentJobs ?? 5);
    node.health = connectionHealth(node.connection, node.jobs[0]);
    if (node.jobs[0]?.status !== 'failed') node.failure = undefined;
    else if (node.jobs[0].jobId === job.jobId) {
      void this.failureOf(job.jobId).then((failure) => {
        if (node.jobs[0]?.jobId !== job.jobId) return;
        node.failure = failure;
        this.changed.fire(node.key);
      });
    }
    this.changed.fire(node.key);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async roots(): Promise<AirbyteNode[]> {
    try {
      const client = this.opts.client();
      const workspaces = await auditedRead(this.opts.audit, { credential: client.credentialOrigin, service: 'airbyte', action: 'list-workspaces', resource: 'workspaces' }, () => client.listWorkspaces());
      if (!workspaces.length) {
        return [message('airbyte:none', 'info', t('No Airbyte workspaces are shared with you.'), t('Ask an Airbyte admin to add you (or one of your groups) to a workspace.'))];
      }
      return workspaces
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((workspace) => ({ kind: 'workspace', key: `airbyte:ws:${workspace.workspaceId}`, workspace }) satisfies WorkspaceNode);
    } catch (err) {
      return [errorNode('airbyte:error', err)];
    }
  }

  private async workspaceChildren(parent: WorkspaceNode): Promise<AirbyteNode[]> {
    const generation = this.generation;
    let list: Connection[];
    try {
      const client = this.opts.client();
      const { workspaceId, name } = parent.workspace;
      list = await auditedRead(this.opts.audit, { credential: client.credentialOrigin, service: 'airbyte', action: 'list-connections', resource: `workspace/${workspaceId}`, resourceName: name }, () => client.listConnections([workspaceId]));
    } catch (err) {
      return [errorNode(`${parent.key}:error`, err)];
    }
    if (!list.length) return [message(`${parent.key}:empty`, 'info', t('No connections in this workspace.'))];
    const nodes = await Promise.all(
      list
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(async (connection) => {
          const previous = this.connections.get(connection.connectionId);
          const node: ConnectionNode = previous ?? {
            kind: 'connection',
            key: `airbyte:conn:${connection.connectionId}`,
            workspace: parent.workspace,
            connection,
            jobs: [],
            health: connectionHealth(connection, undefined),
          };
          node.connection = connection;
          node.workspace = parent.workspace;
          const [sourceName, destinationName] = await Promise.all([this.name('source', connection.sourceId), this.name('destination', connection.destinationId), this.loadJobs(node)]);
          node.sourceName = sourceName;
          node.destinationName = destinationName;
          return node;
        }),
    );
    if (generation === this.generation) for (const n of nodes) this.connections.set(n.connection.connectionId, n);
    return nodes;
  }

  private jobNodes(parent: ConnectionNode): AirbyteNode[] {
    if (parent.jobsError) return [errorNode(`${parent.key}:error`, parent.jobsError)];
    if (!parent.jobs.length) return [message(`${parent.key}:nojobs`, 'info', t('No jobs yet.'))];
    return parent.jobs.map((job) => ({ kind: 'job', key: `airbyte:job:${job.jobId}`, workspaceId: parent.workspace.workspaceId, connection: parent.connection, job }) satisfies JobNode);
  }

  private async loadJobs(node: ConnectionNode, signal?: AbortSignal): Promise<void> {
    try {
      node.jobs = await this.opts.client().listJobs({ connectionId: node.connection.connectionId, orderBy: 'createdAt|DESC', max: this.opts.recentJobs ?? 5 }, signal);
      node.jobsError = undefined;
    } catch (err) {
      node.jobsError = toAirbyteError(err);
      this.opts.logger?.debug(`could not read the jobs of connection ${node.connection.connectionId}: ${node.jobsError.reason}`);
    }
    node.health = connectionHealth(node.connection, node.jobs[0]);
    node.failure = node.jobs[0]?.status === 'failed' ? await this.failureOf(node.jobs[0].jobId, signal) : undefined;
  }

  /** A failed job's reason, asked once per job (a finished job's attempts do not change). */
  private failureOf(jobId: number, signal?: AbortSignal): Promise<string | undefined> {
    let pending = this.failures.get(jobId);
    if (!pending) {
      pending = this.opts.client().getJobAttempts(jobId, signal).then(failureReason, (err) => {
        this.failures.delete(jobId);
        this.opts.logger?.debug(`could not read the attempts of Airbyte job ${jobId}: ${toAirbyteError(err).reason}`);
        return undefined;
      });
      this.failures.set(jobId, pending);
    }
    return pending;
  }

  /** Source and destination names (ids never change their name often; cached until refresh). */
  private name(kind: 'source' | 'destination', id: string): Promise<string | undefined> {
    const key = `${kind}:${id}`;
    let pending = this.names.get(key);
    if (!pending) {
      const client = this.opts.client();
      pending = (kind === 'source' ? client.getSource(id) : client.getDestination(id)).then(
        (r) => r.name,
        () => {
          this.names.delete(key);
          return undefined;
        },
      );
      this.names.set(key, pending);
    }
    return pending;
  }
}

function message(key: string, severity: 'info' | 'error', text: string, detail?: string): MessageNode {
  return { kind: 'message', key, severity, text, detail };
}

function errorNode(key: string, err: unknown): MessageNode {
  const e = toAirbyteError(err);
  const text = e.reason === 'forbidden' ? t('You may not read this in Airbyte.') : e.message;
  return { kind: 'message', key, severity: 'error', text, detail: e.nextStep, error: e };
}
