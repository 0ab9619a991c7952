import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

// A list field costs its page size times the cost of one item, so `first: 100` of a deep selection is
// priced as what it is.
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === 'number' ? 1 + args.first * childComplexity : undefined;

const tooComplex = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });

/**
 * Why an operation is too costly, or null. Only an operation whose variables do not coerce is left unpriced:
 * execution refuses it (BAD_USER_INPUT) before any resolver runs. Any other pricing failure refuses the
 * operation: the library gives up on node count exactly for the largest queries, which must not run unpriced.
 */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  max: number,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null; // no operation to run: execution says which
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return null;
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
    const why = e instanceof Error ? e.message.replace(/\.$/, '') : 'it could not be priced';
    return tooComplex(`The query cannot be priced (${why}). Ask for fewer items or fields.`);
  }
  return complexity > max
    ? tooComplex(`The query costs ${complexity}; the limit is ${max}. Ask for fewer items or fields.`)
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
