import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutionResult, GatewayGraphQLRequest, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { BoundCaller, Caller } from '../../directives/caller.ts';
import type { GatewayContext } from './context.ts';

/** The headers of one incoming request, read-only. */
export interface RequestHeaders {
  /** The header's value as sent (the first one when repeated). */
  get(name: string): string | undefined;
  /** The same, decoded as UTF-8 (Node reads header bytes as Latin-1; a legal-basis reference may be Japanese). */
  text(name: string): string | undefined;
}

/**
 * What the request hooks build, in plugin order, before the operation runs: authentication sets `caller`, purpose
 * binding sets `boundCaller` (and `strict`). The core refuses the request if no plugin bound a caller.
 */
export interface RequestDraft {
  readonly requestId: string;
  /** The address the request came from (the socket's peer; no proxy header is trusted). */
  readonly clientAddress: string;
  readonly headers: RequestHeaders;
  caller?: Caller;
  boundCaller?: BoundCaller;
  strict?: boolean;
}

/** Runs one operation against the subgraphs (what `wrapExecutor` wraps). */
export type Executor = (requestContext: GatewayGraphQLRequestContext<GatewayContext>) => Promise<GatewayExecutionResult>;

/** One call from the gateway to a subgraph, before it is sent. */
export interface SubgraphCall {
  readonly subgraph: string;
  readonly request: GatewayGraphQLRequest;
  readonly context: GatewayContext;
}

/** A subgraph call whose headers and body are final, just before it is sent. */
export interface SubgraphFetch {
  /** Header names in lower case; a hook may add headers. */
  readonly headers: Record<string, string>;
  /** The exact body that will be sent. */
  readonly body: string;
}

/** One named readiness check, as `/readyz` reports it. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
}

/** What the core offers the plugins' routes: the readiness of the whole gateway (supergraph and every plugin's checks). */
export interface GatewayRuntime {
  readiness(): Promise<ReadinessCheck[]>;
}

/** One finished subgraph call: how long it took and whether it failed (network error or HTTP status >= 400). */
/** The `extensions` of a subgraph's answer (never passed on to the client), for the plugin that reads one of them. */
export interface SubgraphExtensions {
  readonly subgraph: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly context: GatewayContext;
}

export interface SubgraphResult {
  readonly subgraph: string;
  readonly durationMs: number;
  readonly failed: boolean;
}

/** The supergraph the gateway has loaded. */
export interface LoadedSchema {
  readonly apiSchema: GraphQLSchema;
  readonly coreSupergraphSdl: string;
}

/**
 * One concern of the gateway (authentication, purpose binding, caller assertion, enforcement, …), in the style of
 * envelop's `useX` plugins. Its hooks are the only way it touches a request; what it keeps per request it keeps
 * itself (a WeakMap keyed by the context), never in another plugin's state.
 */
export interface GatewayPlugin {
  readonly name: string;
  /** Sees every supergraph the gateway loads; throwing refuses it (the gateway does not start, or keeps refusing). */
  onSchema?(schema: LoadedSchema): void;
  /** Reads the request and fills in the draft; throwing a project error refuses the request with that error. */
  onRequest?(draft: RequestDraft): void | Promise<void>;
  /** Wraps the execution of an operation; the first plugin's wrapper is the outermost. */
  wrapExecutor?(next: Executor): Executor;
  /** Runs before each subgraph call, in plugin order (e.g. to add a header). */
  onSubgraphRequest?(call: SubgraphCall): void | Promise<void>;
  /** Runs when a subgraph call's bytes are final (e.g. to sign exactly what is sent); synchronous. */
  onSubgraphFetch?(fetch: SubgraphFetch): void;
  /** Runs when a subgraph call has answered or failed (e.g. to measure it); synchronous. */
  onSubgraphResponse?(result: SubgraphResult): void;
  /** Runs when a subgraph's answer carries `extensions` (e.g. the statistics it released); synchronous. */
  onSubgraphExtensions?(answer: SubgraphExtensions): void;
  /** Extra Apollo Server plugins (response formatting, …). */
  apolloPlugins?(): ApolloServerPlugin<GatewayContext>[];
  /** Extra HTTP routes and hooks beside `/graphql` (health, metrics, pages). */
  routes?(app: FastifyInstance, runtime: GatewayRuntime): void | Promise<void>;
  /**
   * What this plugin needs to serve requests (a database, keys, a writer), checked when `/readyz` is asked; a check
   * that throws or takes longer than 2 s counts as not ready.
   */
  readiness?(): Promise<ReadinessCheck | readonly ReadinessCheck[]>;
  /** Releases what the plugin holds, when the gateway stops. */
  close?(): Promise<void>;
}
