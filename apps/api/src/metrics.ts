import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { AuthorizationRow } from './db/entities';

/** Prometheus metrics for GET /metrics: one registry per server, so tests and replicas never share one. */
export function createMetrics(ds: DataSource) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const invocations = new Counter({
    name: 'connections_invocations_total',
    help: 'Invocations through a connection, by link name and outcome (HTTP status class or error code).',
    labelNames: ['connection', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamLatency = new Histogram({
    name: 'connections_upstream_latency_seconds',
    help: 'Time from sending an invocation upstream to its response headers.',
    labelNames: ['connection'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 40],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'connections_token_refreshes_total',
    help: 'OAuth 2.0 token refreshes by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'connections_authorizations',
    help: 'Authorizations by status.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await ds
        .getRepository(AuthorizationRow)
        .createQueryBuilder('a')
        .select('a.status', 'status')
        .addSelect('COUNT(*)', 'n')
        .groupBy('a.status')
        .getRawMany<{ status: string; n: string | number }>();
      this.reset();
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  return { registry, invocations, upstreamLatency, refreshes };
}

export type Metrics = ReturnType<typeof createMetrics>;
