import type { GraphQLError, GraphQLSchema } from 'graphql';
import { GraphQLError as GraphQLErrorClass, parse } from 'graphql';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import type { BoundCaller } from '../directives/caller.ts';
import type { ConsentLoader } from '../directives/decide.ts';
import { planOperation, type EnforcementPlan, type OperationLimits } from '../directives/enforce/operation.ts';
import { ConsentPrefetch, shapeResponse, type DisclosureSummary, type PrivacyFieldError } from '../directives/enforce/response.ts';
import { isProjectError, PrivacyError } from '../directives/errors.ts';
import { readPrivacyIndex, type PrivacyIndex } from '../directives/policy.ts';
import { PrivacySchemaError, validatePrivacyIndex } from '../directives/validate.ts';
import { toGraphQLError } from './errors.ts';

/** What the gateway keeps per request in the Apollo context. */
export interface GatewayContext {
  caller: BoundCaller;
  strict: boolean;
  /** Filled by enforcement once the response is shaped: what was released about whom. */
  disclosure?: DisclosureSummary;
  /** Set by enforcement while the operation executes: entity fetches hand it their representations. */
  consentPrefetch?: ConsentPrefetch;
}

export interface EnforcementOptions {
  /** Switch off to measure transport alone; never in production. */
  enabled: boolean;
  limits?: OperationLimits;
  pseudonymKey: Uint8Array;
  loadConsents: ConsentLoader;
  now?: () => Date;
  planCacheSize?: number;
}

/**
 * Wraps `@apollo/gateway` so that every operation is enforced: denied fields are removed before planning,
 * and the response is shaped (redactions, masks, consent) before it leaves the gateway.
 * @example new ApolloServer({ gateway: usePrivacyEnforcement(new ApolloGateway({ supergraphSdl }), options) })
 */
export function usePrivacyEnforcement(inner: GatewayInterface, options: EnforcementOptions): GatewayInterface {
  let schema: GraphQLSchema | undefined;
  let index: PrivacyIndex | undefined;
  let schemaError: Error | undefined;
  const plans = new Map<string, EnforcementPlan>();
  const planCacheSize = options.planCacheSize ?? 2_000;
  const now = options.now ?? (() => new Date());

  inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const read = readPrivacyIndex(parse(coreSupergraphSdl));
    const problems = [...read.problems, ...validatePrivacyIndex(apiSchema, read.index)];
    if (problems.length > 0) {
      schemaError = new PrivacySchemaError(problems);
      schema = undefined;
      index = undefined;
      return;
    }
    schemaError = undefined;
    schema = apiSchema;
    index = read.index;
    plans.clear();
  });

  const planFor = (requestContext: GatewayGraphQLRequestContext<GatewayContext>, caller: BoundCaller): EnforcementPlan => {
    const key = `${requestContext.queryHash}\u0000${requestContext.operationName ?? ''}\u0000${caller.role}\u0000${caller.purpose}`;
    const cached = plans.get(key);
    if (cached) return cached;
    const plan = planOperation({
      schema: schema!,
      index: index!,
      document: requestContext.document,
      operationName: requestContext.operationName,
      caller,
      limits: options.limits,
    });
    if (plans.size >= planCacheSize) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
    return plan;
  };

  const wrap = (executor: GatewayExecutor): GatewayExecutor => async (requestContext) => {
    if (!options.enabled) return executor(requestContext);
    const context = requestContext.context as GatewayContext;
    if (!schema || !index) throw schemaError ?? new Error('The supergraph is not loaded.');
    let plan: EnforcementPlan;
    try {
      plan = planFor(requestContext as GatewayGraphQLRequestContext<GatewayContext>, context.caller);
    } catch (error) {
      if (isProjectError(error)) return { errors: [toGraphQLError(error)] };
      throw error;
    }
    if (context.strict && plan.deniedCoordinates.length > 0) {
      return { data: null, errors: [rejection(plan.deniedCoordinates)] };
    }
    const prefetched = ConsentPrefetch.forPlan(plan, context.caller, now(), options.loadConsents);
    context.consentPrefetch = prefetched;
    const result = await executor({
      ...requestContext,
      document: plan.document,
      queryHash: plan.queryHash,
      operation: plan.operation,
      source: plan.source,
    } as GatewayGraphQLRequestContext);
    const at = now();
    const shaped = await shapeResponse(plan, result.data as Record<string, unknown> | null | undefined, {
      caller: context.caller,
      variables: requestContext.request.variables,
      now: at,
      mask: { pseudonymKey: options.pseudonymKey, now: at },
      loadConsents: options.loadConsents,
      prefetched,
    });
    context.consentPrefetch = undefined;
    context.disclosure = shaped.disclosure;
    if (context.strict && shaped.errors.length > 0) {
      return { data: null, errors: [rejection([...new Set(shaped.errors.map((e) => e.extensions.coordinate))].sort())] };
    }
    const errors: GraphQLError[] = [...(result.errors ?? []), ...fieldErrors(shaped.errors)];
    return {
      ...(result.data === undefined ? {} : { data: shaped.data }),
      ...(errors.length > 0 ? { errors } : {}),
      ...(shaped.masked.length > 0 || result.extensions
        ? { extensions: { ...result.extensions, ...(shaped.masked.length > 0 ? { privacy: { masked: shaped.masked } } : {}) } }
        : {}),
    };
  };

  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    load: async (loadOptions) => {
      const loaded = await inner.load(loadOptions);
      if (schemaError) throw schemaError;
      return { ...loaded, executor: loaded.executor ? wrap(loaded.executor) : null };
    },
    stop: () => inner.stop(),
  };
}

/**
 * Redactions are expected outcomes, not faults: they are built without capturing a stack trace (half their cost,
 * and never shown: stack traces are excluded from responses).
 */
function fieldErrors(errors: readonly PrivacyFieldError[]): GraphQLError[] {
  if (errors.length === 0) return [];
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return errors.map((e) => new GraphQLErrorClass(e.message, { path: e.path, extensions: e.extensions }));
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function rejection(coordinates: readonly string[]): GraphQLError {
  return toGraphQLError(
    new PrivacyError('OPERATION_REJECTED', 'Strict privacy mode: the operation asks for fields that would be withheld.', {
      coordinates: [...coordinates],
    }),
  );
}
