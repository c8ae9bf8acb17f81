import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { BoundCaller } from '../caller.ts';
import { decide } from '../decide.ts';
import { readPrivacyIndex } from '../policy.ts';

/**
 * Wraps every personal and statistics field's resolver so that a field the caller's purpose denies resolves to null,
 * whatever the gateway asked for (defence in depth). Masking stays at the gateway.
 * @example const schema = usePrivacyDenials(buildSubgraphSchema(definition), definition.typeDefs, (ctx) => ctx.caller);
 */
export function usePrivacyDenials<TContext>(
  schema: GraphQLSchema,
  typeDefs: DocumentNode,
  callerOf: (context: TContext) => BoundCaller | undefined,
): GraphQLSchema {
  const { index, problems } = readPrivacyIndex(typeDefs);
  if (problems.length > 0) {
    throw new Error(`Invalid privacy annotations: ${problems.map((p) => `${p.coordinate}: ${p.message}`).join('; ')}`);
  }
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const classification = index.fields.get(`${typeName}.${fieldName}`);
      if (!classification || classification.kind === 'notPersonal') return fieldConfig;
      const resolve = fieldConfig.resolve ?? defaultFieldResolver;
      return {
        ...fieldConfig,
        resolve: (source, args, context: TContext, info) => {
          const caller = callerOf(context);
          if (!caller) return null;
          const decision = decide(classification, caller);
          return decision.kind === 'deny' ? null : resolve(source, args, context, info);
        },
      };
    },
  });
}
