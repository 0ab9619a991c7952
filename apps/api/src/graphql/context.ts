import type { Logger } from 'pino';
import type { Config } from '../config';
import type { AccountsService } from '../domain/accounts';
import type { MembersService } from '../domain/members';
import type { SessionsService } from '../domain/sessions';
import type { AttemptsService } from '../domain/attempts';
import type { AuditService } from '../domain/audit';
import type { AuditLog } from '../domain/audit-log';
import type { AuthorizationsService } from '../domain/authorizations';
import type { ConnectionsService } from '../domain/connections';
import type { ConnectionHealthReader } from '../domain/connection-health';
import type { InvocationsService } from '../domain/invocations';
import type { ExtensionsService } from '../domain/extensions';
import type { ServiceRegistry } from '../domain/service-registry';
import type { Viewer } from '../domain/viewer';
import type { AuthorizationTopics } from '../domain/authorization-events';
import type { Invalidator } from '../domain/invalidation';
import type { EventBus } from '../events/pubsub';
import type { EventLog } from '../domain/event-log';
import type { WebhooksService } from '../domain/webhooks';

export interface AppServices {
  config: Config;
  logger: Logger;
  accounts: AccountsService;
  sessions: SessionsService;
  members: MembersService;
  audit: AuditService;
  registry: ServiceRegistry;
  connections: ConnectionsService;
  /** Last use, last success, calls and errors over 24 hours, for a page of connections at once. */
  connectionHealth: ConnectionHealthReader;
  authorizations: AuthorizationsService;
  extensions: ExtensionsService;
  attempts: AttemptsService;
  invocations: InvocationsService;
  bus: EventBus<AuthorizationTopics>;
  /** The stored authorization events: replay after a cursor, pages for pollers, retention. */
  eventLog: EventLog;
  /** Announces and hears changes that make caches and open sockets stale, on every replica. */
  invalidator: Invalidator;
  /** Admins' webhook endpoints and delivery logs. */
  webhooks: WebhooksService;
  /** The address browsers must use: PUBLIC_URL, or http://localhost:<port> once listening. */
  publicUrl: () => string;
  /** Who may read which audit events, filtered and paged. */
  auditLog: AuditLog;
}

export interface GqlContext {
  viewer: Viewer | null;
  app: AppServices;
  /**
   * Present on graphql-ws operations: who the socket is now, null once it has been forbidden. A subscription
   * filters each event with it, not with the viewer it started with.
   */
  currentViewer?: () => Viewer | null;
  /** HTTP: the client's address (req.ip, see CONNECTIONS_TRUST_PROXY), for sign-in throttling and audit. */
  clientAddress?: string;
  /** Present on HTTP requests: lets signIn / signOut set and clear the session cookie. */
  session?: {
    set(token: string, expiresAt: Date): void;
    clear(): void;
  };
}
