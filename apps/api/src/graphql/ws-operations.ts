import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { complexityError } from './complexity';
import type { AppServices, GqlContext } from './context';
import { depthLimit } from './depth-limit';
import { refusal } from './errors';
import { fieldLimit, maxTokensFor } from './field-limit';
import type { SocketHandle } from './socket-registry';

/**
 * The same depth, field and cost limits as over HTTP, and introspection only where HTTP allows it: a query
 * must not escape them by using the socket. Errors returned here go out through onError, which gives them
 * their codes.
 */
function operationLimits(schema: GraphQLSchema, services: AppServices) {
  const { maxDepth, maxComplexity, maxFields, introspection } = services.config.graphql;
  const maxTokens = maxTokensFor(maxFields);
  const rules = [
    ...specifiedRules,
    depthLimit(maxDepth),
    fieldLimit(maxFields),
    ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return (payload: SubscribePayload): readonly GraphQLError[] | DocumentNode => {
    let document;
    try {
      document = parse(payload.query, { maxTokens });
    } catch (e) {
      return [new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length) return invalid;
    const tooComplex = complexityError(
      schema,
      document,
      maxComplexity,
      payload.operationName,
      payload.variables,
    );
    return tooComplex ? [tooComplex] : document;
  };
}

/**
 * What every operation on a socket goes through before it runs: the socket's operation cap, its credentials
 * resolved again (through the short cache that revocation empties on every replica: a revoked token, an
 * ended session or a changed role closes the socket with 4403 and runs nothing), then the limits. The
 * operation runs as the viewer just resolved, and a subscription filters its events with the socket's
 * current viewer.
 */
export function operationGuard(schema: GraphQLSchema, services: AppServices) {
  const limits = operationLimits(schema, services);
  const { maxSubscriptions } = services.config.graphqlWs;
  return async (
    running: number,
    payload: SubscribePayload,
    socket: SocketHandle,
  ): Promise<readonly GraphQLError[] | ExecutionArgs> => {
    // `running` includes this operation: graphql-ws registers it before asking.
    if (running > maxSubscriptions)
      return [
        refusal(
          'TOO_MANY_SUBSCRIPTIONS',
          `This socket already runs ${maxSubscriptions} operations; complete one first.`,
        ),
      ];
    let viewer;
    try {
      viewer = await socket.refresh();
    } catch (e) {
      return [new GraphQLError('The credentials could not be checked.', { originalError: e as Error })];
    }
    if (!viewer) return [refusal('UNAUTHENTICATED', 'The credentials of this socket are no longer valid.')];
    const checked = limits(payload);
    if (!('kind' in checked)) return checked;
    const contextValue: GqlContext = { viewer, app: services, currentViewer: socket.current };
    return {
      schema,
      document: checked,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  };
}
