// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith, ...) for every test file.
import 'aws-sdk-client-mock-vitest/extend';

// Handlers built from the environment use the real Powertools Metrics, which writes each EMF
// record to stdout. Tests count through their own MetricsSink; Powertools' own switch turns the
// EMF output off (set before any test file imports a handler).
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
