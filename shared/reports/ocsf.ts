/**
 * `scan --format ocsf`: one OCSF Compliance Finding (class_uid 2003, category Findings) per line,
 * schema version 1.3.0, with the `cloud` profile. Attribute names and enumerations follow the
 * OCSF schema (events/findings/compliance_finding.json and the objects it uses): a data lake or
 * SIEM that reads OCSF (Amazon Security Lake custom sources, for one) takes the lines as they are.
 */
import { findingIdOf, findingResourceArn } from '../findings/id';
import { partitionOf } from '../inventory/arn';
import { ruleById } from '../rules/index';
import type { ComplianceStatus, RuleId, Severity } from '../rules/types';
import { relatedRequirements } from '../securityhub/asff';
import { type Report, type ReportFinding, ruleTitle } from './report';

export const OCSF_VERSION = '1.3.0';

/** OCSF base-event `severity_id`: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, number> = { INFORMATIONAL: 1, LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };

/** `compliance.status_id`: 1 Pass, 3 Fail; NOT_APPLICABLE is 99 Other, named by `status`. */
const COMPLIANCE_STATUS: Record<ComplianceStatus, { readonly id: number; readonly name: string }> = {
  COMPLIANT: { id: 1, name: 'Pass' },
  NON_COMPLIANT: { id: 3, name: 'Fail' },
  NOT_APPLICABLE: { id: 99, name: 'Not Applicable' },
};

/**
 * The finding's own `status_id` (its triage state): 1 New while failing; 4 Resolved when it
 * passes; 3 Suppressed when it does not apply or the settings ignore it.
 */
function findingStatus(finding: ReportFinding): { readonly id: number; readonly name: string } {
  const { status } = finding.evaluation;
  if (status === 'COMPLIANT') return { id: 4, name: 'Resolved' };
  if (status === 'NOT_APPLICABLE' || finding.decision?.action === 'ignore')
    return { id: 3, name: 'Suppressed' };
  return { id: 1, name: 'New' };
}

const CLASS_UID = 2003;
const ACTIVITY_CREATE = 1;

export interface OcsfOptions {
  /** endpoint-guard's version, reported as the product version. */
  readonly productVersion: string;
}

/** One Compliance Finding event. */
export function toOcsf(
  finding: ReportFinding,
  generatedAt: string,
  options: OcsfOptions,
): Record<string, unknown> {
  const { evaluation } = finding;
  const time = Date.parse(generatedAt);
  const compliance = COMPLIANCE_STATUS[evaluation.status];
  const status = findingStatus(finding);
  const plan = evaluation.remediation;
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Compliance Finding: Create',
    severity_id: SEVERITY_ID[evaluation.severity],
    severity: titleCase(evaluation.severity),
    status_id: status.id,
    status: status.name,
    time,
    message: evaluation.reason,
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud'],
      product: {
        name: 'endpoint-guard',
        vendor_name: 'endpoint-guard',
        version: options.productVersion,
        feature: { name: 'scan' },
      },
    },
    cloud: {
      provider: 'AWS',
      region: evaluation.region,
      account: { uid: evaluation.accountId, type: 'AWS Account', type_id: 10 },
    },
    finding_info: {
      uid: findingIdOf(evaluation.ruleId, findingResourceArn(evaluation)),
      title: ruleTitle(evaluation.ruleId),
      desc: evaluation.reason,
      types: [evaluation.ruleId],
      analytic: { uid: evaluation.ruleId, name: evaluation.ruleId, type: 'Rule', type_id: 1 },
      created_time: time,
    },
    compliance: {
      ...complianceOf(evaluation.ruleId),
      control: evaluation.ruleId,
      status_id: compliance.id,
      status: compliance.name,
      status_code: evaluation.status,
      status_detail: evaluation.reason,
    },
    resources: [
      {
        uid: evaluation.arn || evaluation.resourceId,
        name: evaluation.resourceId,
        type: evaluation.resourceType,
        region: evaluation.region,
        cloud_partition: partitionOf(evaluation.region),
        owner: { account: { uid: evaluation.accountId, type: 'AWS Account', type_id: 10 } },
      },
    ],
    ...(plan
      ? { remediation: { desc: plan.kind === 'fix' ? plan.summary : `${plan.summary} (${plan.why})` } }
      : {}),
    unmapped: {
      evidence: evaluation.evidence,
      ...(plan ? { remediation_plan: plan } : {}),
      ...(finding.decision ? { decision: finding.decision } : {}),
    },
  };
}

/** JSON lines: one event per finding. */
export function formatOcsf(report: Report, options: OcsfOptions): string {
  return report.findings
    .map((finding) => `${JSON.stringify(toOcsf(finding, report.generatedAt, options))}\n`)
    .join('');
}

/**
 * The published standards a rule checks, and their requirements in Security Hub's spelling (the
 * same as the ASFF documents' `Compliance.RelatedRequirements`); endpoint-guard's own rule set
 * when it matches none.
 */
function complianceOf(ruleId: RuleId): { standards: string[]; requirements?: string[] } {
  const compliance = ruleById(ruleId).compliance;
  if (!compliance) return { standards: ['endpoint-guard'] };
  const standards = [
    ...(compliance.fsbp.length ? ['AWS Foundational Security Best Practices v1.0.0'] : []),
    ...(compliance.nist80053r5.length ? ['NIST SP 800-53 Rev. 5'] : []),
    ...[...new Set(compliance.cis.map((item) => `CIS AWS Foundations Benchmark ${item.version}`))],
  ];
  const requirements = relatedRequirements(compliance);
  return {
    standards: standards.length ? standards : ['endpoint-guard'],
    ...(requirements.length ? { requirements } : {}),
  };
}

function titleCase(word: string): string {
  return word.charAt(0) + word.slice(1).toLowerCase();
}
