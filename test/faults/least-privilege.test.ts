/**
 * Least privilege, checked over the synthesized templates of an organization deployment (every
 * stack: home, each region, the members' StackSet and the member template itself): every IAM
 * action of every role is listed, and the test fails on
 * - a write action granted on `"*"` unless its API has no resource-level permissions (the
 *   documented exceptions of infra/permissions.ts), or any wildcard action (`ec2:*`, `*`);
 * - a trust policy that lets another account's principals in without both the organization
 *   condition (`aws:PrincipalOrgID`) and the role condition (`aws:PrincipalArn`);
 * - a permission in a member account, or an AWS-resource permission of a central function, that
 *   no rule declares (`RULES[*].permissions`) and no detector adapter needs
 *   (`DETECTOR_SUPPORT_ACTIONS`): the registry is the source of truth;
 * - a fix action held by anything but the member role and remediate (the central account's own
 *   resources), or granted on `"*"` or on another account's resources.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { anyResourceWriteExceptions, DETECTOR_SUPPORT_ACTIONS } from '../../infra/permissions';
import { RULES } from '../../shared/rules/index';
import { buildTestApp, FIXTURE_FUNCTIONS, ORGANIZATION_CONTEXT } from '../infra/support';

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface RolePolicies {
  readonly stack: string;
  readonly role: string;
  readonly trust: Statement[];
  readonly statements: Statement[];
  readonly managedPolicies: unknown[];
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const READ = /^(Get|List|Describe|BatchGet|Select|Query|Scan|Lookup|Search)/;
/** Services whose actions act on a member account's resources. */
const MEMBER_SERVICES = /^(ec2|s3|config):/;
const DECLARED = new Set([
  ...RULES.flatMap((rule) => [...rule.permissions.detect, ...rule.permissions.fix]),
  ...DETECTOR_SUPPORT_ACTIONS,
]);
const FIX_ACTIONS = new Set(RULES.flatMap((rule) => rule.permissions.fix));

function actionsOf(statement: Statement): string[] {
  return statement.Action === undefined ? [] : [statement.Action].flat();
}

function onAnyResource(statement: Statement): boolean {
  return [statement.Resource].flat().includes('*');
}

function rolesOf(stack: Stack): RolePolicies[] {
  const resources = (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
  const roles = new Map<string, RolePolicies>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resource.Properties ?? {};
    const trust =
      (properties.AssumeRolePolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [];
    const inline = (
      (properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []
    ).flatMap((policy) => policy.PolicyDocument.Statement);
    roles.set(id, {
      stack: stack.stackName,
      role: id,
      trust,
      statements: inline,
      managedPolicies: (properties.ManagedPolicyArns as unknown[] | undefined) ?? [],
    });
  }
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const properties = resource.Properties ?? {};
    const statements = (properties.PolicyDocument as { Statement: Statement[] }).Statement;
    for (const ref of (properties.Roles as { Ref?: string }[] | undefined) ?? []) {
      const role = ref.Ref === undefined ? undefined : roles.get(ref.Ref);
      if (role) role.statements.push(...statements);
      else throw new Error(`a policy is attached to a role outside its stack: ${JSON.stringify(ref)}`);
    }
  }
  return [...roles.values()];
}

let roles: RolePolicies[];

beforeAll(() => {
  const { deployment } = buildTestApp({ ...ORGANIZATION_CONTEXT }, { functionsDir: FIXTURE_FUNCTIONS });
  const stacks: Stack[] = [deployment.home, ...deployment.regional];
  if (deployment.members) stacks.push(deployment.members);
  if (deployment.memberStack) stacks.push(deployment.memberStack);
  roles = stacks.flatMap(rolesOf);
}, 120_000);

describe('least privilege over the synthesized templates', () => {
  it('lists every IAM action of every role', () => {
    const table = Object.fromEntries(
      roles.map((role) => [
        `${role.stack}/${role.role}`,
        [...new Set(role.statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf))].sort(),
      ]),
    );
    console.info(JSON.stringify({ figures: 'IAM actions per role', roles: table }, null, 1));
    expect(Object.keys(table).length).toBeGreaterThan(5);
    expect(Object.keys(table).some((name) => name.includes('MemberRole'))).toBe(true);
  });

  it('grants no wildcard action, and no write on "*" but where the API has no resource-level permissions', () => {
    const exceptions = anyResourceWriteExceptions();
    const problems = roles.flatMap((role) =>
      role.statements.flatMap((statement) =>
        actionsOf(statement).flatMap((action) => {
          const where = `${role.stack}/${role.role}: ${action}`;
          if (action === '*' || action.endsWith(':*')) return [`${where} is a wildcard action`];
          const verb = action.split(':')[1] ?? '';
          if (onAnyResource(statement) && !READ.test(verb) && exceptions[action] === undefined) {
            return [`${where} is a write on "*"`];
          }
          return [];
        }),
      ),
    );
    expect(problems).toEqual([]);
    // The exceptions are few and each says why.
    expect(Object.keys(exceptions)).toEqual(['config:PutEvaluations']);
  });

  it('lets another account in only with the organization and the role conditions', () => {
    const problems = roles.flatMap((role) =>
      role.trust
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap((statement) => {
          const principal = statement.Principal as { AWS?: unknown } | string | undefined;
          const aws = typeof principal === 'string' ? principal : principal?.AWS;
          if (aws === undefined) return [];
          const conditions = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
          const missing = ['aws:PrincipalOrgID', 'aws:PrincipalArn'].filter(
            (key) => !conditions.includes(key),
          );
          return missing.length
            ? [`${role.stack}/${role.role} trusts ${JSON.stringify(aws)} without ${missing.join(', ')}`]
            : [];
        }),
    );
    expect(problems).toEqual([]);
    // And the member role is one of them: its trust is not empty of conditions by accident.
    const member = roles.find((role) => role.role.startsWith('MemberRole'));
    expect(member?.trust.some((statement) => statement.Condition !== undefined)).toBe(true);
  });

  it('holds in member accounts, and on AWS resources centrally, only what a rule or a detector adapter declares', () => {
    const undeclared = roles.flatMap((role) => {
      const inMember = role.stack.startsWith('MemberTemplate');
      return (
        role.statements
          .flatMap(actionsOf)
          .filter((action) => (inMember || MEMBER_SERVICES.test(action)) && !DECLARED.has(action))
          // The member's sender role forwards CloudTrail calls to the central bus (the forwarding adapter).
          .filter(
            (action) => !(inMember && action === 'events:PutEvents' && role.role.startsWith('SenderRole')),
          )
          // Central functions read their own organization's aggregator (the sweep adapter).
          .filter(
            (action) =>
              inMember ||
              !/^config:(BatchGetAggregateResourceConfig|SelectAggregateResourceConfig)$/.test(action),
          )
          .map((action) => `${role.stack}/${role.role}: ${action}`)
      );
    });
    expect(undeclared).toEqual([]);
  });

  it('gives the fix actions only to the member role and remediate (its own account), on named resources', () => {
    // remediate fixes the central account's own resources without assuming a role (ARCHITECTURE.md,
    // "Function contract"); the detectors, the sweep and everything else never hold a fix action.
    const holders = roles.flatMap((role) =>
      role.statements
        .filter((statement) => actionsOf(statement).some((action) => FIX_ACTIONS.has(action)))
        .map((statement) => ({
          role: `${role.stack}/${role.role}`,
          anyResource: onAnyResource(statement),
          resources: JSON.stringify(statement.Resource),
        })),
    );
    expect(holders.length).toBeGreaterThan(0);
    expect(
      holders
        .filter((holder) => !/\/(MemberRole|RemediationFunctionsRemediateRole)/.test(holder.role))
        .map((h) => h.role),
    ).toEqual([]);
    expect(holders.filter((holder) => holder.anyResource)).toEqual([]);
    // EC2 resources are the holder's own account's (S3 bucket ARNs name no account).
    expect(
      holders.filter(
        (holder) => holder.resources.includes(':ec2:') && !holder.resources.includes('AWS::AccountId'),
      ),
    ).toEqual([]);
  });
});
