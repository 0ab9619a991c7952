import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

// A list field costs its page size times the cost of one item, so `first: 100` of a deep selection is
// priced as what it is.
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === 'number' ? 1 + args.first * childComplexity : undefined;

const tooComplex = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });

/**
 * Whether an operation's price depends on its variables: only through a page size (`first: $n`, pagedEstimator)
 * or a directive (`@skip(if: $x)` / `@include`, which the pricing honours). Any other variable cannot change it.
 */
function pricedByVariables(document: DocumentNode): boolean {
  let depends = false;
  const usesVariable = (node: unknown) => JSON.stringify(node).includes('"Variable"');
  visit(document, {
    Argument(node) {
      if (node.name.value === 'first' && usesVariable(node.value)) depends = true;
    },
    Directive(node) {
      if (usesVariable(node.arguments ?? [])) depends = true;
    },
  });
  return depends;
}

/**
 * Prices by document (issue 15: pricing walked the whole operation on every request). Keyed by the parsed
 * document, which Apollo's document store hands out again for the same query text, so this holds no more
 * documents than that bounded store does; an operation priced by its variables is priced on every request.
 */
const priced = new WeakMap<DocumentNode, { byVariables: boolean; cost: Map<string, number> }>();

function cachedPrice(document: DocumentNode, operationName: string | null | undefined) {
  let entry = priced.get(document);
  if (!entry) priced.set(document, (entry = { byVariables: pricedByVariables(document), cost: new Map() }));
  return { entry, cost: entry.byVariables ? undefined : entry.cost.get(operationName ?? '') };
}

const overLimit = (complexity: number, max: number) =>
  complexity > max
    ? tooComplex(`The query costs ${complexity}; the limit is ${max}. Ask for fewer items or fields.`)
    : null;

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
  const { entry, cost } = cachedPrice(document, operationName);
  if (cost !== undefined) return overLimit(cost, max);
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
  if (!entry.byVariables) entry.cost.set(operationName ?? '', complexity);
  return overLimit(complexity, max);
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
