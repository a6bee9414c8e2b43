import type { z } from 'zod';
import type { CloudTrailRecord } from '../events/cloudtrail';
import type { MappedScope } from '../events/scope-finders';
import type { Inventory } from '../inventory/inventory';
import type { Resource, ResourceType } from '../model';
import type { PlannedAction } from '../remediation/actions/index';
import type { RuleId, RuleOptions } from './index';

/** AWS Config's compliance types, the only three endpoint-guard reports. */
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** Severity of a NON_COMPLIANT evaluation; COMPLIANT and NOT_APPLICABLE ones are INFORMATIONAL. */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

export type { PlannedAction } from '../remediation/actions/index';
export type { RuleId } from './index';

/**
 * What would fix a NON_COMPLIANT resource: API calls an executor can apply, or a ticket
 * because no safe automatic fix exists (and why).
 */
export type RemediationPlan =
  | {
      readonly kind: 'fix';
      /** One line for people: what the calls do. */
      readonly summary: string;
      readonly actions: readonly PlannedAction[];
      /** Side effects people must know about (cost, policies that may break, parts left to do). */
      readonly warnings: readonly string[];
    }
  | {
      readonly kind: 'ticket-only';
      readonly summary: string;
      /** Why no automatic fix is possible. */
      readonly why: string;
    };

/** The verdict of one rule on one resource. */
export interface Evaluation {
  readonly ruleId: RuleId;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly accountId: string;
  readonly region: string;
  readonly arn: string;
  readonly status: ComplianceStatus;
  readonly severity: Severity;
  /** Short human reason, at most 256 characters (AWS Config's annotation limit). */
  readonly reason: string;
  /** The facts the verdict rests on (AZs, route tables, flags, statements...). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Present exactly when the status is NON_COMPLIANT. */
  readonly remediation: RemediationPlan | null;
}

export type { RuleOptions } from './index';
export { DEFAULT_RULE_OPTIONS } from './index';

/** Everything a rule reads besides the resource itself. Never AWS: rules are pure. */
export interface EvaluationContext {
  readonly inventory: Inventory;
  readonly options: RuleOptions;
}

/**
 * A CloudTrail API call that can change a rule's verdict, and how to find the resources it
 * affects. Infra builds EventBridge patterns from these; the cloudtrail-event Lambda maps events
 * with them (`events/cloudtrail-map.ts` derives its table from the rules' triggers).
 */
export interface CloudTrailTrigger {
  readonly eventSource: 'ec2.amazonaws.com' | 's3.amazonaws.com';
  readonly eventName: string;
  /** Why this call matters to the rule (documentation for readers). */
  readonly why?: string;
  /**
   * The resources to re-evaluate for one record, or why there are none (a scope finder of
   * `events/scope-finders.ts`). Absent: every resource the rule reads in the account and region.
   */
  readonly affects?: (record: CloudTrailRecord) => MappedScope;
}

/** IAM actions a rule needs, for detection (read) and for its fix (write). */
export interface RulePermissions {
  readonly detect: readonly string[];
  readonly fix: readonly string[];
}

/**
 * The published controls a rule checks (the same concern, judged the same way or more strictly),
 * and where people read how to fix it by hand. Security Hub's `Compliance.RelatedRequirements`
 * and `Remediation.Recommendation.Url`, and the report formats, are derived from this.
 */
export interface RuleCompliance {
  /** AWS Foundational Security Best Practices control ids (`S3.8`); empty when none matches. */
  readonly fsbp: readonly string[];
  /** NIST SP 800-53 Rev. 5 controls (`SC-7(4)`). */
  readonly nist80053r5: readonly string[];
  /** CIS AWS Foundations Benchmark recommendations: benchmark version and recommendation id. */
  readonly cis: readonly { readonly version: string; readonly id: string }[];
  /** ASFF finding types (`namespace/category/classifier`), most specific last. */
  readonly findingTypes: readonly string[];
  /** AWS documentation on fixing it by hand. */
  readonly referenceUrl: string;
}

/** OpsCenter's categories: Availability, Cost, Performance, Recovery, Security. */
export type TicketCategory = 'Availability' | 'Cost' | 'Performance' | 'Recovery' | 'Security';

/** How a finding of the rule reads for people (notifications and tickets). */
export interface RuleText {
  /** A short title, for subjects and ticket summaries. */
  readonly title: string;
  /** Why the rule matters, in one or two sentences. */
  readonly whyItMatters: string;
  /** The OpsCenter category of its OpsItems. */
  readonly ticketCategory: TicketCategory;
}

/**
 * What the organization sweep must fetch besides the aggregator's advanced query for a verdict
 * of this rule to be final. The sweep runs these generically; it names no rule.
 */
export interface RuleSweepNeeds {
  /**
   * Evaluations the query's fields cannot settle (advanced queries cannot select a bucket's
   * policy or ACL): the sweep fetches the whole configuration item (BatchGet) and evaluates again.
   * `noun` names the resource in logs (`bucket details unreadable`, `{ bucket: id }`).
   */
  readonly fullItem?: { readonly when: (evaluation: Evaluation) => boolean; readonly noun: string };
  /**
   * Evaluations of VPC endpoints that knowing the AZs their service is offered in could change:
   * the sweep asks the member account and evaluates again with them.
   */
  readonly serviceZones?: { readonly when: (evaluation: Evaluation) => boolean };
}

/**
 * A rule: everything about it in its module. The registry (`./index.ts`) lists the modules;
 * every other list (rule ids, schemas, the CloudTrail map, IAM policies, the sweep's query) is
 * derived from it. See ARCHITECTURE.md, "A rule module".
 */
export interface Rule<
  T extends ResourceType = ResourceType,
  Id extends string = RuleId,
  Options extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  readonly id: Id;
  /** The resource type evaluated (and reported to AWS Config). */
  readonly resourceType: T;
  /** Other resource types the evaluation reads. */
  readonly reads: readonly ResourceType[];
  /** Severity when NON_COMPLIANT (a rule may raise it for a specific finding). */
  readonly severity: Exclude<Severity, 'INFORMATIONAL'>;
  readonly title: string;
  readonly description: string;
  readonly triggers: readonly CloudTrailTrigger[];
  /**
   * The configuration-item fields the evaluation needs, per resource type, as AWS Config's
   * advanced queries name them (`configuration.subnetIds`). The sweep selects exactly their union
   * (plus the fields every item carries); the normalizer must read each one (checked when the
   * query is derived).
   */
  readonly configurationFields: Readonly<Partial<Record<ResourceType, readonly string[]>>>;
  readonly permissions: RulePermissions;
  /**
   * The rule's options in the settings document (`rules.<id>`, besides `mode`), as a strict zod
   * object whose every field has a default. Absent: the rule has no options.
   */
  readonly options: Options;
  readonly text: RuleText;
  readonly sweep?: RuleSweepNeeds;
  /** The published controls it checks (see {@link RuleCompliance}). */
  readonly compliance?: RuleCompliance;
  evaluate(resource: Extract<Resource, { resourceType: T }>, context: EvaluationContext): Evaluation;
}
