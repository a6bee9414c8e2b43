import type { Inventory } from '../inventory/inventory';
import type { PublicAccessBlock, Resource, ResourceType } from '../model';

/** AWS Config's compliance types, the only three endpoint-guard reports. */
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** Severity of a NON_COMPLIANT evaluation; COMPLIANT and NOT_APPLICABLE ones are INFORMATIONAL. */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

export type RuleId = 'interface-endpoint-multi-az' | 's3-bucket-public-access' | 'gateway-endpoint-routes';

/** One API call of a remediation plan, with the exact SDK parameters it sends. */
export type PlannedAction =
  | {
      readonly service: 'ec2';
      readonly action: 'ModifyVpcEndpoint';
      readonly parameters: {
        readonly VpcEndpointId: string;
        readonly AddSubnetIds?: readonly string[];
        readonly AddRouteTableIds?: readonly string[];
      };
    }
  | {
      readonly service: 'ec2';
      readonly action: 'CreateVpcEndpoint';
      readonly parameters: {
        readonly VpcId: string;
        readonly ServiceName: string;
        readonly VpcEndpointType: 'Gateway';
        readonly RouteTableIds: readonly string[];
        readonly ClientToken: string;
      };
    }
  | {
      readonly service: 's3';
      readonly action: 'PutPublicAccessBlock';
      readonly parameters: {
        readonly Bucket: string;
        readonly PublicAccessBlockConfiguration: {
          readonly BlockPublicAcls: true;
          readonly IgnorePublicAcls: true;
          readonly BlockPublicPolicy: true;
          readonly RestrictPublicBuckets: true;
        };
      };
      /** The bucket-level configuration before the fix (`null`: none), kept for rollback. */
      readonly previous: PublicAccessBlock | null;
    };

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

/** Per-rule options from the settings document that change evaluation (not the action). */
export interface GatewayServicesOption {
  readonly s3: GatewayServiceRequirement;
  readonly dynamodb: GatewayServiceRequirement;
}

/** `required`: every private table needs it; `if-present`: only when the VPC has one; `ignore`. */
export type GatewayServiceRequirement = 'required' | 'if-present' | 'ignore';

export interface RuleOptions {
  readonly 'gateway-endpoint-routes': {
    readonly allowCreateEndpoint: boolean;
    readonly services: GatewayServicesOption;
    readonly includePublicRouteTables: boolean;
  };
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  'gateway-endpoint-routes': {
    allowCreateEndpoint: false,
    services: { s3: 'required', dynamodb: 'if-present' },
    includePublicRouteTables: false,
  },
};

/** Everything a rule reads besides the resource itself. Never AWS: rules are pure. */
export interface EvaluationContext {
  readonly inventory: Inventory;
  readonly options: RuleOptions;
}

/**
 * A CloudTrail API call that can change a rule's verdict, and how to find the resources it
 * affects. Infra builds EventBridge patterns from these; the event Lambda maps events with them.
 */
export interface CloudTrailTrigger {
  readonly eventSource: 'ec2.amazonaws.com' | 's3.amazonaws.com';
  readonly eventName: string;
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

export interface Rule<T extends ResourceType = ResourceType> {
  readonly id: RuleId;
  /** The resource type evaluated (and reported to AWS Config). */
  readonly resourceType: T;
  /** Other resource types the evaluation reads. */
  readonly reads: readonly ResourceType[];
  /** Severity when NON_COMPLIANT (a rule may raise it for a specific finding). */
  readonly severity: Exclude<Severity, 'INFORMATIONAL'>;
  readonly title: string;
  readonly description: string;
  readonly triggers: readonly CloudTrailTrigger[];
  readonly permissions: RulePermissions;
  /** The published controls it checks (see {@link RuleCompliance}). */
  readonly compliance?: RuleCompliance;
  evaluate(resource: Extract<Resource, { resourceType: T }>, context: EvaluationContext): Evaluation;
}
