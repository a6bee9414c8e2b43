/**
 * The `EndpointGuardMember` role of a member account: what the central functions do in that
 * account, they do through it. Trusted by the central functions' roles only, inside the
 * organization only.
 */
import {
  AccountPrincipal,
  PolicyDocument,
  type PolicyStatement,
  PrincipalWithConditions,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';

export interface MemberRoleProps {
  /** The role name (`EndpointGuardMember`, or a template parameter). */
  readonly roleName: string;
  /** The central account (a 12-digit id or a template parameter). */
  readonly centralAccountId: string;
  /** The central functions' role ARNs: the only principals that may assume this role. */
  readonly trustedRoleArns: readonly string[];
  /** `o-...` (or a template parameter): the caller must belong to it. */
  readonly organizationId: string;
  /** What the role may do (from the registry: `detectStatements` + `fixStatements`). */
  readonly statements: readonly PolicyStatement[];
}

/**
 * The trust policy names the central *account* and narrows it with `aws:PrincipalArn` to the
 * exact function roles. Naming the roles as principals would look stricter but breaks quietly:
 * IAM stores a principal role as its unique id, so a central role deleted and recreated (a
 * redeploy after an uninstall) would no longer be trusted, while a condition on its ARN still
 * matches.
 *
 * @example
 * new MemberRole(this, 'MemberRole', { roleName: 'EndpointGuardMember', centralAccountId: '111122223333',
 *   trustedRoleArns: ['arn:aws:iam::111122223333:role/endpoint-guard-remediate-us-east-1'],
 *   organizationId: 'o-abc123def4', statements: [...detectStatements(scope), ...fixStatements(scope)] });
 */
export class MemberRole extends Construct {
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberRoleProps) {
    super(scope, id);
    if (props.trustedRoleArns.length === 0) {
      throw new InvalidPropsError(this.node.path, 'trustedRoleArns', 'must name at least one central role');
    }
    if (props.statements.length === 0) {
      throw new InvalidPropsError(this.node.path, 'statements', 'must grant something');
    }
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: 'endpoint-guard: detection and remediation by the central functions',
      assumedBy: new PrincipalWithConditions(new AccountPrincipal(props.centralAccountId), {
        ArnEquals: { 'aws:PrincipalArn': [...props.trustedRoleArns] },
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
      inlinePolicies: { EndpointGuard: new PolicyDocument({ statements: [...props.statements] }) },
    });
  }
}
