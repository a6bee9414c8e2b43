/**
 * The metrics the operations dashboard reads. The contract lives in `shared/metrics.ts`, where
 * the functions that emit them import it too (infra may import shared/ for names).
 */
export { FINDING_STATUSES, METRIC_DIMENSIONS, METRIC_NAMES } from '../shared/metrics';
