import type { GraphQLError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { viewerForSocket } from '../http/auth';
import type { AppServices } from './context';
import { formatError, refusal } from './errors';
import { AuthenticatedSockets, type SocketHandle } from './socket-registry';
import { clientAddressReader, connectionGate, cookieOrigins } from './ws-gate';
import { operationGuard } from './ws-operations';

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

/**
 * GraphQL over WebSocket (graphql-ws) on the same HTTP server and path as Apollo, which has no subscriptions
 * of its own. Subscriptions are guarded exactly like queries: same limits, same error codes, same viewer,
 * checked again for every operation. Before any of that, the socket itself is bounded: frame size, sockets per
 * client address and in all, and a short wait for connection_init.
 */
export function startGraphqlWs(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: AppServices,
): GraphqlWsServer {
  const limits = services.config.graphqlWs;
  const gate = connectionGate(limits, clientAddressReader(services.config.trustProxy));
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    // ws's default is 100 MiB, buffered before anyone is authenticated; a larger frame closes with 1009.
    maxPayload: limits.maxPayloadBytes,
    verifyClient: gate.verify,
  });
  wsServer.on('connection', gate.opened);
  // Read when a socket authenticates: the port is known only once the server listens.
  const origins = () => cookieOrigins(services.config, (httpServer.address() as AddressInfo).port);
  const wsErrors = wsErrorFormatter(services);
  const guard = operationGuard(schema, services);
  const sockets = new AuthenticatedSockets();
  const stopListening = services.invalidator.onInvalidate((kind, id) => sockets.onInvalidate(kind, id));
  const cleanup = useServer<Record<string, unknown>, { handle?: SocketHandle }>(
    {
      schema,
      connectionInitWaitTimeout: limits.initTimeoutMs,
      onSubscribe: (ctx, _id, payload) =>
        ctx.extra.handle
          ? guard(Object.keys(ctx.subscriptions).length, payload, ctx.extra.handle)
          : [refusal('UNAUTHENTICATED', 'The socket is not authenticated.')],
      onError: (_ctx, _id, _payload, errors) => wsErrors(errors, 'GRAPHQL_VALIDATION_FAILED'),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: wsErrors(result.errors, 'BAD_USER_INPUT') } : undefined,
      // Returning false closes the socket with 4403 Forbidden: a socket without valid credentials gets nothing.
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const resolve = () => viewerForSocket(services.accounts, ctx.connectionParams, request, origins());
        const viewer = await resolve();
        if (!viewer) return false;
        const handle = sockets.track({
          viewer,
          close: (code, reason) => socket.close(code, reason),
          recheck: resolve,
        });
        ctx.extra.handle = handle;
        socket.once('close', handle.forget);
        return true;
      },
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
