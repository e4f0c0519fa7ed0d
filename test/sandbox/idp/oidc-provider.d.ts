// The slice of oidc-provider 8.x the sandbox IdP uses (the package ships no types and
// @types/oidc-provider is not a dependency). Loose on purpose: only what idp.ts touches.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    path: string;
    method: string;
    status: number;
    body: any;
    type: string;
    req: IncomingMessage;
    res: ServerResponse;
    request: { body?: unknown };
    oidc: {
      params: Record<string, string | string[] | undefined>;
      client?: ClientModel;
      provider: Provider;
      route?: string;
      [k: string]: any;
    };
    set(field: string, value: string): void;
    get(field: string): string;
    redirect(url: string): void;
  }
  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void> | void;

  export interface ClientModel {
    clientId: string;
    grantTypeAllowed(type: string): boolean;
    [k: string]: any;
  }

  export interface GrantModel {
    accountId?: string;
    clientId?: string;
    jti: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, any> };
    params: Record<string, any>;
    session?: { accountId: string; [k: string]: any };
    grantId?: string;
    [k: string]: any;
  }

  export interface AccessTokenModel {
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    isExpired: boolean;
    [k: string]: any;
    save(): Promise<string>;
  }

  export class errors {
    static InvalidGrant: new (description?: string) => Error;
    static InvalidRequest: new (description?: string) => Error;
    static InvalidTarget: new (description?: string) => Error;
    static InvalidScope: new (description?: string, scope?: string) => Error;
    static UnauthorizedClient: new (description?: string) => Error;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    use(middleware: Middleware): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(name: string, handler: Middleware, params?: string[] | Set<string>, dupes?: string[]): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: any[]) => void): this;
    Grant: {
      new (props: { accountId: string; clientId: string }): GrantModel;
      find(id: string): Promise<GrantModel | undefined>;
    };
    AccessToken: {
      new (props: Record<string, unknown>): AccessTokenModel;
      find(value: string): Promise<AccessTokenModel | undefined>;
    };
    ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
    Client: { find(id: string): Promise<ClientModel | undefined> };
  }
}
