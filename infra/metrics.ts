/**
 * The custom metrics the operations dashboard reads. The functions emit them with Powertools
 * Metrics (EMF): the CDK app sets `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME` on
 * every function, so a function author only names the metric and adds the `ruleId` (and, for
 * `Findings`, the `status`) dimension:
 *
 * ```ts
 * const metrics = new Metrics(); // namespace and service come from the environment
 * metrics.addDimensions({ ruleId: finding.ruleId, status: finding.status });
 * metrics.addMetric(METRIC_NAMES.findings, MetricUnit.Count, 1);
 * metrics.publishStoredMetrics();
 * ```
 *
 * Dimension sets must match exactly for a dashboard line to show data: `service` (added by
 * Powertools) + `ruleId` (+ `status` for `Findings`). No other dimension.
 *
 * These names belong in `shared/` (functions may not import `infra/`); until they move there,
 * this file and the README are the contract.
 */

/** Metric names in the `EndpointGuard` namespace. */
export const METRIC_NAMES = {
  /** One per Finding a detector publishes. Dimensions: service, ruleId, status. Emitted by detectors. */
  findings: 'Findings',
  /** One per fix applied and verified. Dimensions: service, ruleId. Emitted by remediate. */
  fixesApplied: 'FixesApplied',
  /** One per fix that failed (apply or verify). Dimensions: service, ruleId. Emitted by remediate. */
  fixesFailed: 'FixesFailed',
  /** One per ticket opened (not updated). Dimensions: service, ruleId. Emitted by remediate. */
  ticketsOpened: 'TicketsOpened',
  /** One per notification published to the topic. Dimensions: service, ruleId. Emitted by remediate. */
  notificationsSent: 'NotificationsSent',
} as const;

/** Dimension names the functions add (besides Powertools' `service`). */
export const METRIC_DIMENSIONS = {
  ruleId: 'ruleId',
  status: 'status',
} as const;

/** The statuses the `Findings` metric is broken down by. */
export const FINDING_STATUSES = ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE'] as const;
