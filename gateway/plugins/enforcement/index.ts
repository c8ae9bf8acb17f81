import type { GraphQLError, GraphQLSchema } from 'graphql';
import { GraphQLError as GraphQLErrorClass, parse } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { BoundCaller } from '../../../directives/caller.ts';
import type { ConsentLoader } from '../../../directives/decide.ts';
import { planOperation, type EnforcementPlan, type OperationLimits } from '../../../directives/enforce/operation.ts';
import { ConsentPrefetch, shapeResponse, type PrivacyFieldError } from '../../../directives/enforce/response.ts';
import { isProjectError, PrivacyError, ServiceError, toGraphQLError } from '../../../directives/errors.ts';
import { readPrivacyIndex, type PrivacyIndex } from '../../../directives/policy.ts';
import { PrivacySchemaError, validatePrivacyIndex } from '../../../directives/validate.ts';
import type { GatewayContext } from '../../core/context.ts';
import type { Executor, GatewayPlugin } from '../../core/plugin.ts';

export interface EnforcementOptions {
  /** Switch off to measure transport alone; never in production. The supergraph is checked either way. */
  enabled?: boolean;
  limits?: OperationLimits;
  pseudonymKey: Uint8Array;
  loadConsents: ConsentLoader;
  now?: () => Date;
  planCacheSize?: number;
}

/**
 * Enforces purpose and consent on every operation: fields the caller's purpose does not allow are removed before
 * planning, the consent of the subjects an entity fetch names is asked for while the fetch runs, and the response
 * is shaped (redactions, masks, consent) before it leaves the gateway. What was decided and released is published
 * as `context.privacy`. A supergraph whose privacy tags do not check is refused, naming the coordinate.
 * @example startGateway({ plugins: [useAuthentication(auth), usePurposeBinding(), usePrivacyEnforcement({ pseudonymKey, loadConsents })] })
 */
export function usePrivacyEnforcement(options: EnforcementOptions): GatewayPlugin {
  const enabled = options.enabled ?? true;
  let schema: GraphQLSchema | undefined;
  let index: PrivacyIndex | undefined;
  const plans = new Map<string, EnforcementPlan>();
  const planCacheSize = options.planCacheSize ?? 2_000;
  const now = options.now ?? (() => new Date());
  /** The consent lookups started beside the entity fetches of requests in flight. */
  const prefetches = new WeakMap<GatewayContext, ConsentPrefetch>();

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

  const wrapExecutor = (executor: Executor): Executor => async (requestContext) => {
    const context = requestContext.context;
    if (!schema || !index) throw new ServiceError('SERVICE_UNAVAILABLE', 'The supergraph is not loaded.');
    let plan: EnforcementPlan;
    try {
      plan = planFor(requestContext, context.caller);
    } catch (error) {
      if (isProjectError(error)) return { errors: [toGraphQLError(error)] };
      throw error;
    }
    const operationType = plan.operation.operation;
    const operationName = requestContext.operationName ?? null;
    if (context.strict && plan.deniedCoordinates.length > 0) {
      context.publishPrivacy({ operationName, operationType, denied: plan.deniedCoordinates, rejected: true, disclosure: null, masked: [] });
      return { data: null, errors: [rejection(plan.deniedCoordinates)] };
    }
    const prefetched = ConsentPrefetch.forPlan(plan, context.caller, now(), options.loadConsents);
    if (prefetched) prefetches.set(context, prefetched);
    let result;
    try {
      result = await executor({
        ...requestContext,
        document: plan.document,
        queryHash: plan.queryHash,
        operation: plan.operation,
        source: plan.source,
      });
    } finally {
      if (prefetched) prefetches.delete(context);
    }
    const at = now();
    const shaped = await shapeResponse(plan, result.data as Record<string, unknown> | null | undefined, {
      caller: context.caller,
      variables: requestContext.request.variables,
      now: at,
      mask: { pseudonymKey: options.pseudonymKey, now: at },
      loadConsents: options.loadConsents,
      prefetched,
    });
    if (context.strict && shaped.errors.length > 0) {
      context.publishPrivacy({ operationName, operationType, denied: plan.deniedCoordinates, rejected: true, disclosure: null, masked: [] });
      return { data: null, errors: [rejection([...new Set(shaped.errors.map((e) => e.extensions.coordinate))].sort())] };
    }
    context.publishPrivacy({
      operationName,
      operationType,
      denied: plan.deniedCoordinates,
      rejected: false,
      disclosure: shaped.disclosure,
      masked: shaped.masked,
    });
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
    name: 'privacy-enforcement',
    onSchema({ apiSchema, coreSupergraphSdl }) {
      const read = readPrivacyIndex(parse(coreSupergraphSdl));
      const problems = [...read.problems, ...validatePrivacyIndex(apiSchema, read.index)];
      schema = undefined;
      index = undefined;
      plans.clear();
      if (problems.length > 0) throw new PrivacySchemaError(problems);
      schema = apiSchema;
      index = read.index;
    },
    ...(enabled ? { wrapExecutor } : {}),
    onSubgraphRequest({ request, context }) {
      // An entity fetch names the data subjects the response will hold: their consent is asked for now.
      prefetches.get(context)?.entities(request.variables?.representations);
    },
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
