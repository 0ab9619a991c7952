import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type CookieOptions, type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type http from 'node:http';
import { SESSION_COOKIE, viewerFromHeaders } from '../http/auth';
import { complexityLimitPlugin } from './complexity';
import type { AppServices, GqlContext } from './context';
import { depthLimit } from './depth-limit';
import { formatError, refusal } from './errors';
import { fieldLimit, maxTokensFor } from './field-limit';
import { graphqlBodyParser } from './invoke-body-limit';
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

/** Apollo over HTTP, started; `ws` is disposed from its drain hook so that stop() also ends subscriptions. */
export async function startApollo(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: AppServices,
  ws: GraphqlWsServer,
): Promise<ApolloServer<GqlContext>> {
  const { config, logger } = services;
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM (finish in-flight requests, then close the database): Apollo's own handler, on by
    // default outside tests, raced it and left close() hanging.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: maxTokensFor(config.graphql.maxFields) },
    validationRules: [depthLimit(config.graphql.maxDepth), fieldLimit(config.graphql.maxFields)],
    formatError: formatError(config.graphql.maskErrors, (e) =>
      logger.error({ err: e }, 'unexpected GraphQL error'),
    ),
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
    ],
  });
  await apollo.start();
  return apollo;
}

/** signIn / signOut set and clear the session cookie through the request's context. */
function sessionCookie(res: express.Response, services: AppServices): NonNullable<GqlContext['session']> {
  const options: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: (services.config.publicUrl ?? '').startsWith('https:'),
    path: '/',
  };
  return {
    set: (token, expiresAt) => res.cookie(SESSION_COOKIE, token, { ...options, expires: expiresAt }),
    clear: () => res.clearCookie(SESSION_COOKIE, options),
  };
}

/**
 * /graphql over HTTP: JSON bodies up to 1 MB (more for invokeUrl, see invoke-body-limit.ts); the viewer comes
 * from an API token or the session cookie.
 */
export function mountGraphqlHttp(
  app: Express,
  apollo: ApolloServer<GqlContext>,
  services: AppServices,
): void {
  app.use(
    '/graphql',
    graphqlBodyParser(services),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GqlContext> => ({
        viewer: await viewerFromHeaders(services.accounts, req.headers),
        app: services,
        session: sessionCookie(res, services),
        clientAddress: req.ip,
      }),
    }),
  );
}
