import { GraphQLError, type GraphQLSchema, parse, specifiedRules, validate } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import type { Viewer } from '../domain/viewer';
import { viewerForSocket } from '../http/auth';
import { complexityError } from './complexity';
import type { AppServices, GqlContext } from './context';
import { depthLimit } from './depth-limit';
import { formatError } from './errors';
import { AuthenticatedSockets } from './socket-registry';

export interface GraphqlWsServer {
  /** Completes the subscriptions and closes the sockets (Apollo's drain hook calls it). */
  dispose(): Promise<void>;
  /** Stops accepting sockets once everything is drained. */
  close(): void;
}

/**
 * graphql-ws sends errors as graphql-js serialises them, so an AppError would reach the client without its
 * extensions.code (and an unexpected error unmasked): format them as Apollo does over HTTP. Errors with no
 * resolver behind them get the code Apollo would give: validation before execution, bad variables during.
 */
function wsErrorFormatter(services: AppServices) {
  const { config, logger } = services;
  const formatWsError = formatError(config.graphql.maskErrors, (e) =>
    logger.error({ err: e }, 'unexpected GraphQL error'),
  );
  return (errors: readonly GraphQLError[], codeIfNone: string) =>
    errors.map((e) => {
      const json = e.toJSON();
      if (e.originalError || json.extensions?.code) return formatWsError(json, e);
      return formatWsError({ ...json, extensions: { ...json.extensions, code: codeIfNone } }, e);
    });
}

/** The same depth and cost limits as over HTTP: a query must not escape them by using the socket. */
function operationLimits(schema: GraphQLSchema, services: AppServices) {
  const { maxDepth, maxComplexity } = services.config.graphql;
  return (payload: SubscribePayload) => {
    // Errors returned here go out through onError, which gives them their codes.
    let document;
    try {
      document = parse(payload.query);
    } catch (e) {
      return [new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const invalid = validate(schema, document, [...specifiedRules, depthLimit(maxDepth)]);
    if (invalid.length) return invalid;
    const tooComplex = complexityError(
      schema,
      document,
      maxComplexity,
      payload.operationName,
      payload.variables,
    );
    return tooComplex ? [tooComplex] : undefined;
  };
}

/**
 * GraphQL over WebSocket (graphql-ws) on the same HTTP server and path as Apollo, which has no subscriptions
 * of its own. Subscriptions are guarded exactly like queries: same limits, same error codes, same viewer.
 */
export function startGraphqlWs(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: AppServices,
): GraphqlWsServer {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsErrors = wsErrorFormatter(services);
  const limits = operationLimits(schema, services);
  const sockets = new AuthenticatedSockets();
  const stopListening = services.invalidator.onInvalidate((kind, id) => sockets.onInvalidate(kind, id));
  const cleanup = useServer<Record<string, unknown>, { viewer?: Viewer | null }>(
    {
      schema,
      onSubscribe: (_ctx, _id, payload) => limits(payload),
      onError: (_ctx, _id, _payload, errors) => wsErrors(errors, 'GRAPHQL_VALIDATION_FAILED'),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: wsErrors(result.errors, 'BAD_USER_INPUT') } : undefined,
      // Returning false closes the socket with 4403 Forbidden: a socket without valid credentials gets nothing.
      onConnect: async (ctx) => {
        const resolve = () => viewerForSocket(services.accounts, ctx.connectionParams, ctx.extra.request);
        const viewer = await resolve();
        if (!viewer) return false;
        (ctx.extra as { viewer?: Viewer }).viewer = viewer;
        const { socket } = ctx.extra;
        const forget = sockets.add({
          viewer,
          close: (code, reason) => socket.close(code, reason),
          recheck: resolve,
        });
        socket.once('close', forget);
        return true;
      },
      context: (ctx): GqlContext => ({
        viewer: (ctx.extra as { viewer?: Viewer }).viewer ?? null,
        app: services,
      }),
    },
    wsServer,
  );
  return {
    dispose: async () => {
      stopListening();
      await cleanup.dispose();
    },
    close: () => wsServer.close(),
  };
}
