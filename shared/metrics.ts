/**
 * The custom metrics endpoint-guard emits (CloudWatch EMF through Powertools Metrics) and the
 * operations dashboard reads: one contract for the functions and the CDK app.
 *
 * The CDK app sets `POWERTOOLS_METRICS_NAMESPACE` (`EndpointGuard`) and `POWERTOOLS_SERVICE_NAME`
 * on every function; Powertools adds the `service` dimension. Dimension sets must match exactly
 * for a dashboard line to show data: `service` + `ruleId` (+ `status` for `Findings`).
 */

/** Metric names in the `EndpointGuard` namespace. */
export const METRIC_NAMES = {
  /** One per Finding a detector publishes. Dimensions: service, ruleId, status. */
  findings: 'Findings',
  /** One per fix applied and verified. Dimensions: service, ruleId. */
  fixesApplied: 'FixesApplied',
  /** One per fix that failed (apply or verify). Dimensions: service, ruleId. */
  fixesFailed: 'FixesFailed',
  /** One per ticket opened (not updated). Dimensions: service, ruleId. */
  ticketsOpened: 'TicketsOpened',
  /** One per notification published to the topic. Dimensions: service, ruleId. */
  notificationsSent: 'NotificationsSent',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Dimension names the functions add (besides Powertools' `service`). */
export const METRIC_DIMENSIONS = {
  ruleId: 'ruleId',
  status: 'status',
} as const;

/** The statuses the `Findings` metric is broken down by. */
export const FINDING_STATUSES = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'] as const;

/**
 * Where counts go: Powertools Metrics in the Lambdas, a recording fake in tests.
 *
 * @example
 * sink.count(METRIC_NAMES.fixesApplied, { ruleId: 's3-bucket-public-access' }, 1);
 */
export interface MetricsSink {
  count(name: MetricName, dimensions: Readonly<Record<string, string>>, value: number): void;
}

/** A sink that drops everything (handlers built for tests without metrics). */
export const NO_METRICS: MetricsSink = { count: () => undefined };

/**
 * Counts published findings by rule and status: one data point per (rule, status) pair.
 *
 * @example
 * countFindings(sink, evaluations);
 */
export function countFindings(
  sink: MetricsSink,
  findings: readonly { readonly ruleId: string; readonly status: string }[],
): void {
  const counts = new Map<string, { ruleId: string; status: string; count: number }>();
  for (const { ruleId, status } of findings) {
    const key = `${ruleId}|${status}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { ruleId, status, count: 1 });
  }
  for (const { ruleId, status, count } of counts.values()) {
    sink.count(
      METRIC_NAMES.findings,
      { [METRIC_DIMENSIONS.ruleId]: ruleId, [METRIC_DIMENSIONS.status]: status },
      count,
    );
  }
}
