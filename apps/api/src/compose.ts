import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Agent } from 'undici';
import type { Config } from './config';
import type { SecretBox } from './crypto/secret-box';
import { AccountsService } from './domain/accounts';
import { AttemptsService } from './domain/attempts';
import { AuditService } from './domain/audit';
import { AuthorizationsService } from './domain/authorizations';
import { ConnectionsService } from './domain/connections';
import { ExtensionsService } from './domain/extensions';
import { InvocationsService } from './domain/invocations';
import { Refresher } from './domain/refresher';
import { ServiceRegistry } from './domain/service-registry';
import { AuthorizationEvents, type AuthorizationTopics } from './domain/authorization-events';
import { AuthorizationStore } from './domain/authorization-store';
import { AuthorizationTransitions } from './domain/authorization-transitions';
import { createEventBus } from './events/pubsub';
import type { Cluster } from './cluster';
import type { AppServices } from './graphql/context';
import { createMetrics, type Metrics } from './metrics';
import { checkUrlTarget, createGuardedAgent, createGuardedFetch } from './net/guard';
import { redirectUriFor } from './oauth-urls';
import { sandboxOverlay } from './sandbox/catalog';

export interface Composition {
  services: AppServices;
  metrics: Metrics;
  /** The guarded agent every outgoing request uses: closed on shutdown, after in-flight requests drain. */
  upstream: Agent;
}

/**
 * Every request to a URL from a service definition (invocations, refreshes, revocations, test requests)
 * goes through one guarded agent: no private or metadata address unless allowed.
 */
function guardedNetwork(config: Config, publicUrl: () => string) {
  const upstream = createGuardedAgent({
    allowPrivate: config.invocation.allowPrivateNetworks,
    // The sandbox API is this server (often on loopback): only its exact origin is let through.
    trustedOrigin: config.sandbox ? () => publicUrl() || undefined : undefined,
  });
  const check = (url: URL) => checkUrlTarget(url, config.invocation.allowPrivateNetworks);
  return { dispatcher: upstream, check, fetch: createGuardedFetch(upstream, check) };
}

/**
 * Constructs every domain service once, wired to each other. `publicUrl` is read late: it may depend on the
 * port the OS picked (PORT=0), which is only known after listen.
 */
export function buildServices(
  config: Config,
  logger: Logger,
  ds: DataSource,
  box: SecretBox,
  publicUrl: () => string,
  cluster: Cluster,
): Composition {
  const audit = new AuditService(ds);
  const accounts = new AccountsService(ds, audit, config, cluster.invalidator);
  const overlay = config.sandbox ? sandboxOverlay(publicUrl) : undefined;
  const registry = new ServiceRegistry(ds, box, audit, (s) => redirectUriFor(publicUrl(), s), overlay);
  const bus = createEventBus<AuthorizationTopics>(cluster.eventTarget);
  const events = new AuthorizationEvents(audit, bus, logger);
  // The only code that reads (store) and writes (transitions) authorization rows.
  const store = new AuthorizationStore(ds, box);
  const transitions = new AuthorizationTransitions(ds, box, store, events);
  const connections = new ConnectionsService(ds, registry, audit, store, transitions);
  const attempts = new AttemptsService(ds, registry, store, transitions, events, publicUrl, box);
  const network = guardedNetwork(config, publicUrl);
  const authorizations = new AuthorizationsService(
    ds,
    registry,
    connections,
    attempts,
    store,
    transitions,
    events,
    logger,
    network,
  );
  const extensions = new ExtensionsService(ds, registry, connections, authorizations, events, audit);
  const metrics = createMetrics(() => store.countByStatus());
  const onRefresh = (outcome: string) => metrics.refreshes.inc({ outcome });
  const refresher = new Refresher(store, transitions, logger, cluster.refreshLock, onRefresh, network.fetch);
  const invocations = new InvocationsService(
    store,
    registry,
    connections,
    refresher,
    audit,
    metrics,
    network.dispatcher,
    config,
    logger,
    publicUrl,
  );
  const domain = { accounts, registry, connections, authorizations, extensions, attempts, invocations };
  const services: AppServices = { config, logger, bus, audit, invalidator: cluster.invalidator, ...domain };
  return { services, metrics, upstream: network.dispatcher };
}
