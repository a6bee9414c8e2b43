/**
 * The KMS HMAC key that authenticates audit records: remediate signs every record it writes
 * (`kms:GenerateMac`), `endpoint-guard rollback` verifies (`kms:VerifyMac`) and refuses a record
 * without a valid signature. The key policy lets no principal but remediate's role GenerateMac, so
 * write access to the findings table is not enough to make rollback act.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DEFAULT_AUDIT_KEY_ALIAS } from '../../shared/store/audit-signature';

export interface AuditKeyProps {
  /** The name of the only role that may sign (remediate's). */
  readonly signerRoleName: string;
}

/**
 * @example
 * const auditKey = new AuditKey(this, 'AuditKey', { signerRoleName: functionRoleName('remediate', region) });
 * auditKey.grantSign(remediate);
 */
export class AuditKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: AuditKeyProps) {
    super(scope, id);
    const signer = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${props.signerRoleName}`;
    this.key = new Key(this, 'Key', {
      description: 'endpoint-guard: signs audit records (remediate) so rollback can verify them',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      alias: DEFAULT_AUDIT_KEY_ALIAS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Even an administrator's identity policy cannot sign: only remediate's role.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyRemediateSigns',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:GenerateMac'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': signer } },
      }),
    );
  }

  /** remediate: GenerateMac (and VerifyMac, harmless) on this key. */
  grantSign(grantee: IGrantable): void {
    this.key.grant(grantee, 'kms:GenerateMac');
  }
}
