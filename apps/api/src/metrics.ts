import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
/**
 * Prometheus metrics for GET /metrics: one registry per server, so tests and replicas never share one.
 * `authorizationsByStatus` is read at scrape time (the authorization store counts them).
 */
export function createMetrics(authorizationsByStatus: () => Promise<{ status: string; count: number }[]>) {
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
      const rows = await authorizationsByStatus();
      this.reset();
      for (const r of rows) this.set({ status: r.status }, r.count);
    },
  });
  return { registry, invocations, upstreamLatency, refreshes };
}

export type Metrics = ReturnType<typeof createMetrics>;
