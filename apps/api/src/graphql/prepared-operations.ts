import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  execute,
  getOperationAST,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { complexityError } from './complexity';
import type { GqlContext } from './context';
import { executionAnswer, type GraphqlAnswer } from './execution-answer';

/**
 * How many query texts are kept, and the longest kept: the hot path sends a handful of short texts. Bounded so
 * that a client sending many large distinct queries cannot grow the process (each parsed document is many
 * times its text); those go through Apollo's own bounded document store as before.
 */
const MAX_PREPARED = 256;
const MAX_TEXT_LENGTH = 4096;

/** The parts of a JSON POST body the fast path reads (runHttpQuery's checks decide everything else). */
export interface PostedOperation {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

interface Prepared {
  document: DocumentNode;
  /** By operation name ('' for none): the operation to run, or null when the name picks none. */
  operations: Map<string, OperationDefinitionNode | null>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Operations Apollo has already parsed and validated, by query text, run again without Apollo's per-request
 * pipeline: a sha256 of the query, the document store, a dozen plugin hooks and their promises per request,
 * about a fifth of an invokeUrl call's CPU (issue 15). An integrator's calls repeat the same text.
 *
 * Apollo stays the authority. A text is kept only once Apollo has validated it (the recorder plugin), and
 * every request the fast path is not sure to answer as Apollo would goes to Apollo: a text it has not seen,
 * a persisted query, a subscription, an operation name that picks none, malformed fields, an operation over the
 * cost limit, a client that does not take `application/json`. What Apollo's plugins do per request is done
 * here by the same code: the price (complexity.ts, cached per document), the errors (formatError, through
 * execution-answer.ts). Nothing is cached per caller: the context, and so the viewer, is the request's own.
 */
export class PreparedOperations {
  private readonly byText = new Map<string, Prepared>();
  private stopped = false;
  /** Requests answered here rather than by Apollo (tests check that the fast path is taken). */
  served = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly maxComplexity: number,
    private readonly format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
  ) {}

  /** Records each query text Apollo validated; forgets everything once Apollo stops. */
  recorder(): ApolloServerPlugin<GqlContext> {
    return {
      serverWillStart: async () => ({
        serverWillStop: async () => {
          this.stopped = true;
          this.byText.clear();
        },
      }),
      requestDidStart: async () => ({
        didResolveOperation: async ({ source, document }) => this.remember(source, document),
      }),
    };
  }

  /**
   * The answer to a JSON POST body, run here, or undefined when Apollo must answer it. `contentType` is what
   * the client's Accept header takes (execution-answer.ts). `context` is awaited only once the request is known
   * to be runnable; a context that fails goes to Apollo, which reports it.
   */
  async run(
    body: PostedOperation,
    contentType: string,
    context: Promise<GqlContext>,
  ): Promise<GraphqlAnswer | undefined> {
    const operation = this.runnable(body);
    if (!operation) return undefined;
    const variables = (body.variables ?? undefined) as Record<string, unknown> | undefined;
    const operationName = (body.operationName ?? undefined) as string | undefined;
    if (complexityError(this.schema, operation.document, this.maxComplexity, operationName, variables))
      return undefined;
    let contextValue: GqlContext;
    try {
      contextValue = await context;
    } catch {
      return undefined;
    }
    const result = await execute({
      schema: this.schema,
      document: operation.document,
      contextValue,
      variableValues: variables,
      operationName,
    });
    this.served++;
    return executionAnswer(result, contentType, this.format);
  }

  private runnable(body: PostedOperation) {
    if (this.stopped || body.extensions !== undefined || typeof body.query !== 'string') return undefined;
    if (body.variables != null && !isRecord(body.variables)) return undefined;
    if (body.operationName != null && typeof body.operationName !== 'string') return undefined;
    const prepared = this.byText.get(body.query);
    if (!prepared) return undefined;
    const name = (body.operationName as string | null | undefined) ?? '';
    let operation = prepared.operations.get(name);
    if (operation === undefined)
      prepared.operations.set(
        name,
        (operation = getOperationAST(prepared.document, name || undefined) ?? null),
      );
    // A subscription over HTTP is refused by Apollo (http-server.ts), with the way to do it instead.
    if (!operation || operation.operation === 'subscription') return undefined;
    return { document: prepared.document };
  }

  private remember(source: string, document: DocumentNode): void {
    if (this.stopped || source.length > MAX_TEXT_LENGTH || this.byText.has(source)) return;
    // Oldest first out: a Map keeps insertion order.
    if (this.byText.size >= MAX_PREPARED) this.byText.delete(this.byText.keys().next().value!);
    this.byText.set(source, { document, operations: new Map() });
  }
}
