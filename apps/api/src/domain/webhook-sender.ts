import type { Logger } from 'pino';
import { type DataSource, type EntityManager, LessThanOrEqual, MoreThan } from 'typeorm';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { WebhookRow } from '../db/entities/webhook';
import { WebhookDeliveryRow } from '../db/entities/webhook-delivery';
import { AddressNotAllowedError, checkUrlTarget } from '../net/guard';
import type { AuditService } from './audit';
import type { WebhooksService } from './webhooks';
import { isRetryableStatus, parseRetryAfter, retryDelayMs, signatureHeader } from './webhook-signature';

export interface WebhookSenderOptions {
  allowPrivateNetworks: boolean;
  /** Failed deliveries in a row after which an endpoint is marked FAILING (it stops getting new events). */
  failingAfter?: number;
  /** How long a claimed delivery is this replica's: past it, a replica that died mid-send is replaced. */
  leaseMs?: number;
  timeoutMs?: number;
  batch?: number;
}

type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs: number | null }
  | { kind: 'failed'; status: number | null; error: string };

/**
 * Sends queued webhook deliveries. Every replica runs it. A delivery is claimed with a compare-and-set on its
 * attempt count (status IN_FLIGHT, a lease in nextAttemptAt), so two replicas never both send one attempt;
 * on PostgreSQL the candidates are read with FOR UPDATE SKIP LOCKED in a short transaction, so replicas pick
 * different rows instead of racing for the same ones. Its outcome is written with the same compare-and-set:
 * a sender whose lease ran out (it stalled, another replica took over) cannot overwrite the newer attempt.
 * A replica killed mid-send leaves its rows IN_FLIGHT until the lease expires; they are sent again then:
 * late, never lost (receivers deduplicate on Connections-Delivery).
 */
export class WebhookSender {
  private readonly failingAfter: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly batch: number;

  constructor(
    private readonly ds: DataSource,
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditService,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
    private readonly opts: WebhookSenderOptions,
  ) {
    this.failingAfter = opts.failingAfter ?? 5;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.leaseMs = opts.leaseMs ?? this.timeoutMs + 50_000;
    this.batch = opts.batch ?? 10;
  }

  /** Claims and sends the due deliveries (one batch); returns how many it claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim(new Date());
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length;
  }

  private async claim(now: Date): Promise<WebhookDeliveryRow[]> {
    const candidates = await this.ds.transaction(async (m) => {
      const qb = m
        .createQueryBuilder(WebhookDeliveryRow, 'd')
        .where('d.status IN (:...statuses)', { statuses: ['PENDING', 'IN_FLIGHT'] })
        .andWhere('d.nextAttemptAt <= :now', { now })
        .orderBy('d.nextAttemptAt', 'ASC')
        .limit(this.batch);
      // SQLite is one process's file and has no row locks: the compare-and-set below is enough there.
      if (this.ds.options.type === 'postgres') qb.setLock('pessimistic_write').setOnLocked('skip_locked');
      const rows = await qb.getMany();
      const mine: WebhookDeliveryRow[] = [];
      for (const d of rows) {
        const lease = new Date(now.getTime() + this.leaseMs);
        const { affected } = await m.update(
          WebhookDeliveryRow,
          { id: d.id, attempts: d.attempts, nextAttemptAt: LessThanOrEqual(now) },
          { status: 'IN_FLIGHT', attempts: d.attempts + 1, nextAttemptAt: lease },
        );
        if (affected === 1) mine.push(Object.assign(d, { status: 'IN_FLIGHT', attempts: d.attempts + 1 }));
      }
      return mine;
    });
    return candidates;
  }

  private async deliver(d: WebhookDeliveryRow): Promise<void> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      const hook = await this.ds.getRepository(WebhookRow).findOneBy({ id: d.webhookId });
      outcome = hook
        ? await this.send(hook, d)
        : { kind: 'failed', status: null, error: 'The webhook was deleted.' };
    } catch (error) {
      this.logger.warn({ err: error, deliveryId: d.id }, 'could not send a webhook delivery');
      outcome = { kind: 'retry', status: null, error: 'Internal error while sending.', retryAfterMs: null };
    }
    await this.settle(d, outcome, Math.round(performance.now() - started));
  }

  /** One POST through the guarded dispatcher: no redirect followed, 10 s for the whole exchange. */
  private async send(hook: WebhookRow, d: WebhookDeliveryRow): Promise<Outcome> {
    const url = new URL(hook.url);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      checkUrlTarget(url, this.opts.allowPrivateNetworks);
      const res = await undiciRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Connections-Webhooks/1',
          'connections-signature': signatureHeader(this.webhooks.secretOf(hook), timestamp, d.payload),
          'connections-delivery': d.id,
        },
        body: d.payload,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      // Only the status matters; the body is read (to free the socket) up to a small limit and dropped.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const status = res.statusCode;
      if (status >= 200 && status < 300) return { kind: 'delivered', status };
      if (isRetryableStatus(status))
        return {
          kind: 'retry',
          status,
          error: `HTTP ${status}`,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        };
      return { kind: 'failed', status, error: `HTTP ${status}` };
    } catch (error) {
      const refused = refusal(error);
      if (refused) return { kind: 'failed', status: null, error: `HOST_NOT_ALLOWED: ${refused}` };
      const timedOut = error instanceof Error && /abort|timeout/i.test(`${error.name} ${error.message}`);
      const message = timedOut ? `No answer within ${this.timeoutMs / 1000} s.` : networkMessage(error);
      return { kind: 'retry', status: null, error: message, retryAfterMs: null };
    }
  }

  /** Writes the attempt's outcome, unless another replica has taken the delivery over meanwhile. */
  private async settle(d: WebhookDeliveryRow, outcome: Outcome, durationMs: number): Promise<void> {
    const now = new Date();
    const common = {
      lastStatus: outcome.status,
      durationMs,
      lastError: outcome.kind === 'delivered' ? null : outcome.error.slice(0, 500),
    };
    let next: Partial<WebhookDeliveryRow>;
    if (outcome.kind === 'delivered') next = { ...common, status: 'DELIVERED', deliveredAt: now };
    else if (outcome.kind === 'retry') {
      const at = new Date(now.getTime() + retryDelayMs(d.attempts, outcome.retryAfterMs));
      next =
        at > d.retryUntil
          ? { ...common, status: 'FAILED' }
          : { ...common, status: 'PENDING', nextAttemptAt: at };
    } else next = { ...common, status: 'FAILED' };
    // One transaction: whoever sees the delivery's outcome sees the endpoint's count that includes it.
    await this.ds.transaction(async (m) => {
      const { affected } = await m.update(
        WebhookDeliveryRow,
        { id: d.id, status: 'IN_FLIGHT', attempts: d.attempts },
        next,
      );
      if (affected !== 1) return;
      if (next.status === 'DELIVERED')
        await m.update(
          WebhookRow,
          { id: d.webhookId, consecutiveFailures: MoreThan(0) },
          { consecutiveFailures: 0 },
        );
      if (next.status === 'FAILED') await this.endpointFailed(m, d.webhookId);
    });
  }

  /** Counts a failed delivery; the one that reaches the threshold marks the endpoint FAILING (audited). */
  private async endpointFailed(m: EntityManager, webhookId: string): Promise<void> {
    await m
      .createQueryBuilder()
      .update(WebhookRow)
      .set({ consecutiveFailures: () => '"consecutiveFailures" + 1' })
      .where('id = :id', { id: webhookId })
      .updateEntity(false)
      .execute();
    const w = await m.findOneBy(WebhookRow, { id: webhookId });
    if (!w || w.status !== 'ACTIVE' || w.consecutiveFailures < this.failingAfter) return;
    await m.update(WebhookRow, { id: w.id, status: 'ACTIVE' }, { status: 'FAILING' });
    await this.audit.record(
      { workspaceId: w.workspaceId, userId: null },
      {
        action: 'webhook.failing',
        targetType: 'webhook',
        targetId: w.id,
        message: `The webhook to ${new URL(w.url).host} failed ${w.consecutiveFailures} deliveries in a row: it gets no new events until re-enabled`,
      },
      m,
    );
  }
}

function refusal(error: unknown): string | null {
  if (error instanceof AddressNotAllowedError) return error.message;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === 'HOST_NOT_ALLOWED') return cause.message ?? 'refused address';
  const code = (error as { code?: string })?.code;
  return code === 'HOST_NOT_ALLOWED' ? (error as Error).message : null;
}

/** A network error's code and message: names and addresses only, never a header or body. */
function networkMessage(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? 'network error';
  return code ? `${code}: ${message}` : message;
}
