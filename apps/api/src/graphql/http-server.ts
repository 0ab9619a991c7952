import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type http from 'node:http';
import { complexityLimitPlugin } from './complexity';
import type { AppServices, GqlContext } from './context';
import { depthLimit } from './depth-limit';
import { formatError, refusal } from './errors';
import { fieldLimit, maxTokensFor } from './field-limit';
import { PreparedOperations } from './prepared-operations';
import type { GraphqlWsServer } from './ws-server';

/**
 * A subscription is a stream, and HTTP here answers once: executed as a query, its resolver ran without an
 * event and failed as an internal error. Refused before anything runs, with the way to do it instead.
 */
const subscriptionsOverWebSocket: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription')
          throw refusal(
            'WEBSOCKET_REQUIRED',
            'Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at /graphql.',
          );
      },
    };
  },
};

/**
 * Apollo over HTTP, started, with the operations it validated kept for the fast path (prepared-operations.ts);
 * `ws` is disposed from its drain hook so that stop() also ends subscriptions.
 */
export async function startApollo(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: AppServices,
  ws: GraphqlWsServer,
): Promise<{ apollo: ApolloServer<GqlContext>; prepared: PreparedOperations }> {
  const { config, logger } = services;
  const format = formatError(config.graphql.maskErrors, (e) =>
    logger.error({ err: e }, 'unexpected GraphQL error'),
  );
  const prepared = new PreparedOperations(schema, config.graphql.maxComplexity, format);
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM (finish in-flight requests, then close the database): Apollo's own handler, on by
    // default outside tests, raced it and left close() hanging.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: maxTokensFor(config.graphql.maxFields) },
    validationRules: [depthLimit(config.graphql.maxDepth), fieldLimit(config.graphql.maxFields)],
    formatError: format,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No HTTP cache hints on an authenticated API; the plugin would otherwise wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await ws.dispose();
            },
          };
        },
      },
      subscriptionsOverWebSocket,
      complexityLimitPlugin(schema, config.graphql.maxComplexity),
      prepared.recorder(),
    ],
  });
  await apollo.start();
  return { apollo, prepared };
}
