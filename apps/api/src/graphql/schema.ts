import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { createEventBus } from '../events/pubsub';
import { AccountResolver } from './resolvers/account.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { AuthorizationResolver } from './resolvers/authorization.resolver';
import { ConnectionResolver } from './resolvers/connection.resolver';
import { ConnectionHealthResolver } from './resolvers/connection-health.resolver';
import { DeploymentResolver } from './resolvers/deployment.resolver';
import { InvocationResolver } from './resolvers/invocation.resolver';
import { ExtensionResolver } from './resolvers/extension.resolver';
import { ServiceResolver } from './resolvers/service.resolver';
import { WebhookResolver } from './resolvers/webhook.resolver';
import { validateArgs } from './validate-args';

export const resolvers = [
  AccountResolver,
  ServiceResolver,
  ConnectionResolver,
  ConnectionHealthResolver,
  AuthorizationResolver,
  InvocationResolver,
  ExtensionResolver,
  AuditResolver,
  WebhookResolver,
  DeploymentResolver,
] as const;

export async function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // Each subscription subscribes to the bus in the request's context (see AuthorizationResolver), so the
    // schema itself needs no bus of its own; this one is never published to.
    pubSub: createEventBus(),
    // Inputs are validated with class-validator (validate-args.ts); unknown values are already refused by
    // GraphQL itself.
    validateFn: validateArgs,
  });
}

/** The SDL committed as packages/schema/schema.graphql, sorted so that its diff only shows real changes. */
export function printApiSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
