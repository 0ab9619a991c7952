import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, type GraphQLSchema } from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

// A list field costs its page size times the cost of one item, so `first: 100` of a deep selection is
// priced as what it is.
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === 'number' ? 1 + args.first * childComplexity : undefined;

/** Why an operation is too costly, or null. Unpriceable operations (bad variables) are left to execution. */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  max: number,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): GraphQLError | null {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables: variables ?? undefined,
      estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (e) {
    if (e instanceof GraphQLError) return null;
    throw e;
  }
  return complexity > max
    ? new GraphQLError(`The query costs ${complexity}; the limit is ${max}. Ask for fewer items or fields.`, {
        extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
      })
    : null;
}

export function complexityLimitPlugin(schema: GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          // Invalid variables cannot be priced. Thrown from here they became a 500 INTERNAL_SERVER_ERROR;
          // left alone, execution refuses them (400 BAD_USER_INPUT) before any resolver runs.
          const error = complexityError(schema, document, max, request.operationName, request.variables);
          if (error) throw error;
        },
      };
    },
  };
}
