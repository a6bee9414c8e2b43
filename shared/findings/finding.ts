/**
 * The `Finding` event: what every detector (config-rule, cloudtrail-event, sweep) puts on the
 * endpoint-guard bus, and what remediate consumes. One schema, validated at every edge.
 *
 * EventBridge envelope: `source: "endpoint-guard"`, `detail-type: "Finding"`, `detail: Finding`.
 */
import { z } from 'zod';
import { type ResourceType, SUPPORTED_RESOURCE_TYPES } from '../model';
import { plannedActionSchema } from '../remediation/actions/index';
import { RULES, ruleIdSchema } from '../rules/index';
import type { Evaluation } from '../rules/types';
import { findingIdOf, findingResourceArn } from './id';

export { plannedActionSchema };

export const FINDING_SOURCE = 'endpoint-guard';
export const FINDING_DETAIL_TYPE = 'Finding';
/** Bumped on any change a consumer must know about; consumers reject versions they do not know. */
export const FINDING_SCHEMA_VERSION = '1';

const nonEmpty = z.string().min(1);

/*
 * Bounds. A Finding arrives from the bus (anyone in the organization may put events there) and
 * its fields become DynamoDB keys and attributes, SNS messages and ticket text: a field DynamoDB
 * or SNS would refuse must be refused here, or the message fails on every delivery until the DLQ.
 * DynamoDB caps a partition key at 2,048 bytes (`CLAIM#fix#<findingId>#<hash>` is the longest)
 * and an item at 400 KB (an audit record holds the plan and the decision, which quotes it).
 */
const MAX_ID_BYTES = 1024;
const MAX_TEXT = 4096;
const boundedId = nonEmpty.refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_ID_BYTES, {
  message: `must be at most ${MAX_ID_BYTES} bytes`,
});
const boundedText = z.string().max(MAX_TEXT);

export const remediationPlanSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('fix'),
    summary: boundedText,
    actions: z.array(plannedActionSchema).min(1).max(50),
    warnings: z.array(boundedText).max(50),
  }),
  z.object({ kind: z.literal('ticket-only'), summary: boundedText, why: boundedText }),
]);

export const findingSchema = z
  .object({
    schemaVersion: z.literal(FINDING_SCHEMA_VERSION),
    /** Stable per (rule, resource): `<ruleId>:<resource ARN>`. */
    findingId: boundedId,
    ruleId: ruleIdSchema,
    resourceType: z.enum(SUPPORTED_RESOURCE_TYPES as readonly [ResourceType, ...ResourceType[]]),
    resourceId: boundedId,
    resourceArn: boundedId,
    accountId: z.string().regex(/^\d{12}$/, 'accountId must be 12 digits'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region must look like us-east-1'),
    status: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
    severity: z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']),
    reason: z.string().max(256),
    evidence: z.record(z.string(), z.unknown()),
    remediation: remediationPlanSchema.nullable(),
    /** When the state the verdict rests on was observed (ISO-8601). */
    observedAt: z.iso.datetime({ offset: true }),
    /** Which detector produced it. */
    detector: z.enum(['config-rule', 'cloudtrail-event', 'sweep']),
    /** The event that caused the evaluation, when there was one. */
    trigger: z
      .object({
        eventName: z.string().max(256).optional(),
        eventId: z.string().max(256).optional(),
        configRuleName: z.string().max(256).optional(),
      })
      .optional(),
  })
  .refine((f) => (f.status === 'NON_COMPLIANT') === (f.remediation !== null), {
    message: 'remediation must be present exactly when status is NON_COMPLIANT',
    path: ['remediation'],
  })
  // A rule judges one resource type; any other pairing cannot be re-read live, and would fail
  // remediate on every delivery.
  .refine((f) => RULES.find((rule) => rule.id === f.ruleId)?.resourceType === f.resourceType, {
    message: 'does not match the rule: each rule judges one resource type',
    path: ['resourceType'],
  });

export type Finding = z.infer<typeof findingSchema>;
export type FindingDetector = Finding['detector'];

export { findingIdOf } from './id';

/**
 * Turns an evaluation into a Finding event detail.
 *
 * @example
 * const finding = toFinding(evaluation, { detector: 'config-rule', observedAt: new Date().toISOString() });
 */
export function toFinding(
  evaluation: Evaluation,
  context: {
    readonly detector: FindingDetector;
    readonly observedAt: string;
    readonly trigger?: Finding['trigger'];
  },
): Finding {
  const resourceArn = findingResourceArn(evaluation);
  return {
    schemaVersion: FINDING_SCHEMA_VERSION,
    findingId: findingIdOf(evaluation.ruleId, resourceArn),
    ruleId: evaluation.ruleId,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    resourceArn,
    accountId: evaluation.accountId,
    region: evaluation.region,
    status: evaluation.status,
    severity: evaluation.severity,
    reason: evaluation.reason,
    evidence: { ...evaluation.evidence },
    remediation: evaluation.remediation as Finding['remediation'],
    observedAt: context.observedAt,
    detector: context.detector,
    ...(context.trigger ? { trigger: context.trigger } : {}),
  };
}

/** Validates an untrusted Finding detail; throws an error naming every problem. */
export function parseFinding(value: unknown): Finding {
  const result = findingSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new InvalidFindingError(`invalid Finding: ${problems}`);
}

export class InvalidFindingError extends Error {
  override readonly name = 'InvalidFindingError';
}
