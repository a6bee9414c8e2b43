/**
 * The Powertools Metrics (EMF) adapter of the shared {@link MetricsSink}. Namespace and service
 * come from `POWERTOOLS_METRICS_NAMESPACE` / `POWERTOOLS_SERVICE_NAME`, which the CDK app sets.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsSink } from '../../shared/metrics';

/**
 * Emits each count as its own EMF record with exactly the given dimensions (plus `service`), so
 * the dashboard's dimension sets match whatever else the invocation emitted.
 *
 * @example
 * const sink = powertoolsMetrics();
 * sink.count('Findings', { ruleId: 'gateway-endpoint-routes', status: 'NON_COMPLIANT' }, 3);
 */
export function powertoolsMetrics(
  metrics: Metrics = new Metrics({ namespace: 'EndpointGuard' }),
): MetricsSink {
  return {
    count(name, dimensions, value) {
      const single = metrics.singleMetric();
      single.addDimensions({ ...dimensions });
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
}
