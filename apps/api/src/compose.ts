import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Agent } from 'undici';
import type { Config } from './config';
import type { SecretBox } from './crypto/secret-box';
import { AccountsService } from './domain/accounts';
import { MembersService } from './domain/members';
import { SessionsService } from './domain/sessions';
import { AttemptsService } from './domain/attempts';
import { UnfinishedConnections } from './domain/unfinished-connections';
import { AuditService } from './domain/audit';
import { AuditLog } from './domain/audit-log';
import { AuthorizationsService } from './domain/authorizations';
import { ConnectionsService } from './domain/connections';
import { ConnectionHealthReader } from './domain/connection-health';
import { ExtensionsService } from './domain/extensions';
import { InvocationsService } from './domain/invocations';
import { BackgroundRefresh } from './domain/background-refresh';
import { connectUrlOf } from './domain/needs-authorization';
import { Refresher } from './domain/refresher';
import { RefreshTransitions } from './domain/refresh-transitions';
import { ServiceRegistry } from './domain/service-registry';
import { AuthorizationEvents, type AuthorizationTopics } from './domain/authorization-events';
import { announcingConnectionChanges } from './domain/connection-announcements';
import { EventLog } from './domain/event-log';
import { enqueueWebhookDeliveries } from './domain/webhook-outbox';
import { WebhookSender } from './domain/webhook-sender';
import { WebhooksService } from './domain/webhooks';
import { AuthorizationStore } from './domain/authorization-store';
import { AuthorizationTransitions } from './domain/authorization-transitions';
import { createEventBus } from './events/pubsub';
import type { Cluster } from './cluster';
import type { AppServices } from './graphql/context';
import { createMetrics, type Metrics } from './metrics';
import { checkUrlTarget, createGuardedAgent, createGuardedFetch } from './net/guard';
import { createGuardedNodeAgents } from './net/node-agents';
import { redirectUriFor } from './oauth-urls';
import { sandboxOverlay } from './sandbox/catalog';

export interface Composition {
  services: AppServices;
  metrics: Metrics;
  /** The guarded agent every outgoing request uses: closed on shutdown, after in-flight requests drain. */
  upstream: Agent;
  /** Sends the webhook outbox; server.ts schedules it. */
  webhookSender: WebhookSender;
  /** Token refresh upkeep: server.ts backfills older rows at start-up and schedules the background refresh. */
  tokenRefresh: { backfill(): Promise<number>; background: BackgroundRefresh | null };
}

/**
 * Every request to a URL from a service definition (invocations, refreshes, revocations, test requests)
 * goes through one guarded agent: no private or metadata address unless allowed.
 */
function guardedNetwork(config: Config, publicUrl: () => string) {
  const upstream = createGuardedAgent({
    allowPrivate: config.invocation.allowPrivateNetworks,
    dnsCacheMs: config.invocation.dnsCacheMs,
    // The sandbox API is this server (often on loopback): only its exact origin is let through.
    trustedOrigin: config.sandbox ? () => publicUrl() || undefined : undefined,
  });
  const check = (url: URL) =>
    checkUrlTarget(url, config.invocation.allowPrivateNetworks, config.sandbox ? publicUrl() : undefined);
  // grant (code exchange, OAuth 1.0a steps, profile) speaks node:http: the same policy on node agents.
  const grantAgents = createGuardedNodeAgents({
    allowPrivate: config.invocation.allowPrivateNetworks,
    trustedOrigin: config.sandbox ? () => publicUrl() || undefined : undefined,
    timeoutMs: 20_000,
    maxResponseBytes: 1024 * 1024,
  });
  return { dispatcher: upstream, check, fetch: createGuardedFetch(upstream, check), grantAgents };
}

interface Base {
  config: Config;
  logger: Logger;
  ds: DataSource;
  box: SecretBox;
  publicUrl: () => string;
  cluster: Cluster;
}

/** Authorization events and the only code that reads (store) and writes (transitions) authorization rows. */
function authorizationCore({ config, logger, ds, box, cluster }: Base, audit: AuditService) {
  const bus = createEventBus<AuthorizationTopics>(cluster.eventTarget);
  // The durable log of authorization events (cursors, replay, retention) under the bus.
  const eventLog = new EventLog(ds, config.eventRetentionMs);
  // Each published event also tells every replica's caches that its connection changed.
  const announcing = announcingConnectionChanges(bus, cluster.invalidator);
  const events = new AuthorizationEvents(audit, eventLog, announcing, logger);
  const store = new AuthorizationStore(ds, box);
  const transitions = new AuthorizationTransitions(ds, box, store, events);
  return { bus, eventLog, events, store, transitions };
}

function serviceRegistry(b: Base, audit: AuditService, core: ReturnType<typeof authorizationCore>) {
  const overlay = b.config.sandbox ? sandboxOverlay(b.publicUrl) : undefined;
  const urlPolicy = {
    production: b.config.env === 'production',
    allowPrivateNetworks: b.config.invocation.allowPrivateNetworks,
  };
  const redirectUri = (s: { slug: string; authType: string }) => redirectUriFor(b.publicUrl(), s);
  return new ServiceRegistry(b.ds, b.box, audit, redirectUri, overlay, {
    urlPolicy,
    events: core.events,
    transitions: core.transitions,
    invalidator: b.cluster.invalidator,
  });
}

/** Webhook endpoints, and their sender: outbox rows commit with their event; delivery uses the guarded path. */
function webhookServices(
  { config, logger, ds, box }: Base,
  audit: AuditService,
  events: AuthorizationEvents,
  dispatcher: ReturnType<typeof guardedNetwork>['dispatcher'],
) {
  const allowPrivateNetworks = config.invocation.allowPrivateNetworks;
  const webhooks = new WebhooksService(ds, box, audit, {
    production: config.env === 'production',
    allowPrivateNetworks,
  });
  events.onSealed(enqueueWebhookDeliveries);
  const webhookSender = new WebhookSender(ds, webhooks, audit, dispatcher, logger, {
    allowPrivateNetworks,
    leaseMs: config.webhookLeaseMs,
  });
  return { webhooks, webhookSender };
}

/** Invocations and the refresher they use: one refresh per authorization at a time, under the cluster's lock. */
function invocationService(
  { config, logger, publicUrl, cluster, ds, box }: Base,
  d: {
    audit: AuditService;
    core: ReturnType<typeof authorizationCore>;
    registry: ServiceRegistry;
    connections: ConnectionsService;
    metrics: Metrics;
    network: ReturnType<typeof guardedNetwork>;
  },
) {
  const { store, events } = d.core;
  const writes = new RefreshTransitions(ds, box, store, events, logger);
  const refresher = new Refresher(store, writes, logger, {
    lock: cluster.refreshLock,
    onOutcome: (outcome) => d.metrics.refreshes.inc({ outcome }),
    fetch: d.network.fetch,
    connectUrl: connectUrlOf(publicUrl),
    backoff: config.refresh.backoff,
  });
  const infra = [d.metrics, d.network.dispatcher, config, logger, publicUrl] as const;
  const cache = { invalidator: cluster.invalidator, ttlMs: config.invocation.planCacheMs };
  const invocations = new InvocationsService(
    ...([store, d.registry, d.connections, refresher, d.audit, ...infra, cache] as const),
  );
  const { background } = config.refresh;
  const tokenRefresh = {
    backfill: () => writes.backfill(),
    background: background && new BackgroundRefresh(ds, store, d.registry, refresher, background),
  };
  return { invocations, tokenRefresh };
}

/** OAuth attempts, with the sweep that removes connections whose first authorization never succeeded. */
function attemptsService(
  { ds, box, publicUrl, cluster }: Base,
  audit: AuditService,
  { store, transitions, events }: ReturnType<typeof authorizationCore>,
  registry: ServiceRegistry,
  network: ReturnType<typeof guardedNetwork>,
) {
  const unfinished = new UnfinishedConnections(ds, audit, cluster.invalidator);
  return new AttemptsService(ds, registry, store, transitions, events, publicUrl, box, unfinished, network);
}

/** The services around connections and their authorizations, in the order they depend on each other. */
function connectionServices(
  b: Base,
  audit: AuditService,
  core: ReturnType<typeof authorizationCore>,
  registry: ServiceRegistry,
  network: ReturnType<typeof guardedNetwork>,
) {
  const { ds, logger, cluster } = b;
  const { store, transitions, events } = core;
  const connections = new ConnectionsService(ds, registry, audit, store, transitions, cluster.invalidator);
  const attempts = attemptsService(b, audit, core, registry, network);
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
  const extensions = new ExtensionsService(ds, registry, connections, authorizations, events, audit, {
    store,
    invalidator: cluster.invalidator,
  });
  const members = new MembersService(
    ds,
    audit,
    cluster.invalidator,
    authorizations,
    store,
    transitions,
    logger,
  );
  return { connections, attempts, authorizations, extensions, members };
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
  const b: Base = { config, logger, ds, box, publicUrl, cluster };
  // Invocation audit rows are written behind, in batches (audit-queue.ts); server.ts flushes them on close.
  const audit = new AuditService(ds, { flushMs: config.auditFlushMs, logger });
  const accounts = new AccountsService(ds, audit, config, cluster.invalidator);
  const sessions = new SessionsService(ds, audit, config, cluster.invalidator, cluster.throttles, logger);
  const core = authorizationCore(b, audit);
  const { store, events } = core;
  const registry = serviceRegistry(b, audit, core);
  const network = guardedNetwork(config, publicUrl);
  const { connections, attempts, authorizations, extensions, members } = connectionServices(
    b,
    audit,
    core,
    registry,
    network,
  );
  const metrics = createMetrics(() => store.countByStatus());
  const { invocations, tokenRefresh } = invocationService(b, {
    audit,
    core,
    registry,
    connections,
    metrics,
    network,
  });
  const { webhooks, webhookSender } = webhookServices(b, audit, events, network.dispatcher);
  const domain = { accounts, sessions, members, registry, connections, authorizations, extensions, attempts };
  const services: AppServices = {
    ...{ config, logger, bus: core.bus, eventLog: core.eventLog, audit, invalidator: cluster.invalidator },
    ...{
      publicUrl,
      auditLog: new AuditLog(ds, connections),
      connectionHealth: new ConnectionHealthReader(ds, audit),
    },
    ...domain,
    invocations,
    webhooks,
  };
  return { services, metrics, upstream: network.dispatcher, webhookSender, tokenRefresh };
}
