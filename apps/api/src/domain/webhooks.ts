import type {
  CreateWebhookInput,
  UpdateWebhookInput,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookWithSecret,
} from '@connections/schema';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { ConnectionRow, ExtensionRow } from '../db/entities';
import { newId } from '../db/entities/base';
import { WebhookRow } from '../db/entities/webhook';
import { WebhookDeliveryRow } from '../db/entities/webhook-delivery';
import type { SecretBox } from '../crypto/secret-box';
import { AppError, badInput, notFound } from '../errors';
import { AddressNotAllowedError, checkUrlTarget } from '../net/guard';
import type { AuditService } from './audit';
import { pageOf, pageWindow } from './pagination';
import { requireAdmin, type Viewer } from './viewer';
import { deliveryRow } from './webhook-outbox';
import { newWebhookSecret, RETRY_WINDOW_MS } from './webhook-signature';
import { webhookDeliveryView, webhookView } from './webhook-views';

// Bound to its row: a sealed secret copied into another row does not open there.
const secretRef = (rowId: string) => ({ table: 'webhook', column: 'secretEncrypted', rowId });

export interface WebhookUrlPolicy {
  production: boolean;
  allowPrivateNetworks: boolean;
}

const isLoopbackHost = (host: string) =>
  host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '[::1]';

/**
 * http(s) only; https in production, like a custom service's URLs (the body is signed, not encrypted, and
 * events name accounts), except a loopback host when private networks are allowed. An IP literal outside
 * the address policy is refused here already; a name is judged after DNS resolution at every delivery.
 */
export function checkWebhookUrl(value: string, policy: WebhookUrlPolicy): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badInput('url', 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url', 'must be http or https');
  if (url.username || url.password) throw badInput('url', 'must not carry credentials');
  if (
    url.protocol === 'http:' &&
    policy.production &&
    !(policy.allowPrivateNetworks && isLoopbackHost(url.hostname))
  )
    throw badInput('url', 'must use https in production');
  try {
    checkUrlTarget(url, policy.allowPrivateNetworks);
  } catch (e) {
    if (e instanceof AddressNotAllowedError)
      throw new AppError('HOST_NOT_ALLOWED', `url: ${e.message}`, { field: 'url' });
    throw e;
  }
  return url.href;
}

/** Admins' webhook endpoints and their delivery logs. Sending is WebhookSender's (webhook-sender.ts). */
export class WebhooksService {
  constructor(
    private readonly ds: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly policy: WebhookUrlPolicy,
  ) {}

  /** Decrypts an endpoint's signing secret for a delivery. Callers must never log or return it. */
  secretOf(row: WebhookRow): string {
    return this.box.decrypt(row.secretEncrypted, secretRef(row.id));
  }

  async list(viewer: Viewer): Promise<Webhook[]> {
    const v = requireAdmin(viewer);
    const rows = await this.ds
      .getRepository(WebhookRow)
      .find({ where: { workspaceId: v.workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(webhookView);
  }

  async create(viewer: Viewer, input: CreateWebhookInput): Promise<WebhookWithSecret> {
    const v = requireAdmin(viewer);
    const url = checkWebhookUrl(input.url, this.policy);
    const filters = await this.checkFilters(v, input);
    const secret = newWebhookSecret();
    const id = newId();
    const row = await this.ds.transaction(async (m) => {
      const saved = await m.save(
        m.create(WebhookRow, {
          id,
          workspaceId: v.workspaceId,
          url,
          types: filters.types ?? null,
          connectionIds: filters.connectionIds ?? null,
          extensionId: filters.extensionId ?? null,
          secretEncrypted: this.box.encrypt(secret, secretRef(id)),
          status: 'ACTIVE',
          consecutiveFailures: 0,
          createdById: v.userId,
        }),
      );
      await this.record(v, m, 'webhook.created', saved, `Created a webhook to ${new URL(url).host}`);
      return saved;
    });
    return { webhook: webhookView(row), secret };
  }

  async update(viewer: Viewer, id: string, input: UpdateWebhookInput): Promise<Webhook> {
    const v = requireAdmin(viewer);
    const url =
      input.url === undefined || input.url === null ? undefined : checkWebhookUrl(input.url, this.policy);
    const filters = await this.checkFilters(v, input);
    return this.ds.transaction(async (m) => {
      const row = await this.find(m, v, id);
      if (url) row.url = url;
      if (filters.types !== undefined) row.types = filters.types;
      if (filters.connectionIds !== undefined) row.connectionIds = filters.connectionIds;
      if (filters.extensionId !== undefined) row.extensionId = filters.extensionId;
      if (input.enabled === true && row.status !== 'ACTIVE') {
        row.status = 'ACTIVE';
        row.consecutiveFailures = 0;
      } else if (input.enabled === false) row.status = 'DISABLED';
      await m.save(row);
      await this.record(v, m, 'webhook.updated', row, `Updated the webhook to ${new URL(row.url).host}`);
      return webhookView(row);
    });
  }

  async remove(viewer: Viewer, id: string): Promise<string> {
    const v = requireAdmin(viewer);
    await this.ds.transaction(async (m) => {
      const row = await this.find(m, v, id);
      await m.delete(WebhookDeliveryRow, { webhookId: row.id });
      await m.delete(WebhookRow, { id: row.id });
      await this.record(v, m, 'webhook.deleted', row, `Deleted the webhook to ${new URL(row.url).host}`);
    });
    return id;
  }

  /** A new signing secret, shown once; deliveries still queued are signed with it from their next attempt. */
  async rotateSecret(viewer: Viewer, id: string): Promise<WebhookWithSecret> {
    const v = requireAdmin(viewer);
    const secret = newWebhookSecret();
    const row = await this.ds.transaction(async (m) => {
      const r = await this.find(m, v, id);
      r.secretEncrypted = this.box.encrypt(secret, secretRef(r.id));
      await m.save(r);
      await this.record(v, m, 'webhook.secret_rotated', r, 'Rotated a webhook signing secret');
      return r;
    });
    return { webhook: webhookView(row), secret };
  }

  /** Queues a TEST delivery (whatever the endpoint's filters and state); the delivery worker sends it. */
  async sendTest(viewer: Viewer, id: string): Promise<WebhookDelivery> {
    const v = requireAdmin(viewer);
    const w = await this.find(this.ds.manager, v, id);
    const deliveryId = newId();
    const now = new Date();
    const payload = JSON.stringify({
      event: {
        id: deliveryId,
        type: 'TEST',
        at: now.toISOString(),
        message: 'A test delivery from Connections',
      },
      cursor: null,
    });
    const row = deliveryRow(w, { id: deliveryId, eventId: null, eventCursor: null, payload }, now);
    await this.ds.getRepository(WebhookDeliveryRow).insert(row);
    return webhookDeliveryView(row);
  }

  async deliveries(
    viewer: Viewer,
    webhookId: string,
    first?: number | null,
    after?: string | null,
  ): Promise<WebhookDeliveryPage> {
    const v = requireAdmin(viewer);
    const window = pageWindow(first, after);
    const w = await this.find(this.ds.manager, v, webhookId);
    const [rows, total] = await this.ds.getRepository(WebhookDeliveryRow).findAndCount({
      where: { webhookId: w.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: window.offset,
      take: window.limit,
    });
    return pageOf(rows.map(webhookDeliveryView), total, window);
  }

  /**
   * Sends a delivery again, under the same id (the receiver's idempotency key), with a fresh 24 h retry window.
   * One being sent right now is refused: it is about to have an outcome.
   */
  async redeliver(viewer: Viewer, deliveryId: string): Promise<WebhookDelivery> {
    const v = requireAdmin(viewer);
    const repo = this.ds.getRepository(WebhookDeliveryRow);
    const row = await repo.findOneBy({ id: deliveryId, workspaceId: v.workspaceId });
    if (!row) throw notFound('Webhook delivery');
    if (row.status === 'IN_FLIGHT')
      throw new AppError('CONFLICT', 'deliveryId: this delivery is being sent right now.', {
        field: 'deliveryId',
      });
    const now = new Date();
    const { affected } = await repo.update(
      { id: row.id, status: row.status, attempts: row.attempts },
      { status: 'PENDING', nextAttemptAt: now, retryUntil: new Date(now.getTime() + RETRY_WINDOW_MS) },
    );
    if (affected !== 1)
      throw new AppError('CONFLICT', 'deliveryId: this delivery changed meanwhile; try again.', {
        field: 'deliveryId',
      });
    return webhookDeliveryView(Object.assign(row, { status: 'PENDING', nextAttemptAt: now }));
  }

  private async find(m: EntityManager, v: Viewer, id: string): Promise<WebhookRow> {
    const row = await m.findOneBy(WebhookRow, { id, workspaceId: v.workspaceId });
    if (!row) throw notFound('Webhook');
    return row;
  }

  /** Filters as stored: an empty list means every one (null); connections and extensions of this workspace. */
  private async checkFilters(v: Viewer, input: Partial<CreateWebhookInput>) {
    const list = <T>(xs: T[] | null | undefined) =>
      xs === undefined ? undefined : xs?.length ? [...new Set(xs)] : null;
    const types = list(input.types) as string[] | null | undefined;
    const connectionIds = list(input.connectionIds);
    if (connectionIds) {
      const found = await this.ds
        .getRepository(ConnectionRow)
        .count({ where: { id: In(connectionIds), workspaceId: v.workspaceId } });
      if (found !== connectionIds.length)
        throw badInput('connectionIds', 'names a connection that does not exist');
    }
    const extensionId = input.extensionId === undefined ? undefined : input.extensionId || null;
    if (extensionId) {
      const found = await this.ds
        .getRepository(ExtensionRow)
        .countBy({ id: extensionId, workspaceId: v.workspaceId });
      if (!found) throw badInput('extensionId', 'names an extension that does not exist');
    }
    return { types, connectionIds, extensionId };
  }

  private async record(v: Viewer, m: EntityManager, action: string, w: WebhookRow, message: string) {
    await this.audit.record(v, { action, targetType: 'webhook', targetId: w.id, message }, m);
  }
}
