/**
 * The findings and audit table (ARCHITECTURE.md, "The findings and audit store"): current state per
 * (rule, resource), audit records, ticket references, rate counters and idempotency records.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_NAME } from '../names';

export interface FindingsTableProps {
  /** @default 'endpoint-guard-findings' */
  readonly tableName?: string;
  /**
   * What happens to the table when the stack is deleted. The audit trail is what `rollback`
   * reads, so it outlives an uninstall unless someone decides otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * @example
 * const table = new FindingsTable(this, 'FindingsTable');
 * table.table.grantReadWriteData(remediate);
 */
export class FindingsTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: FindingsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      tableName: props.tableName ?? TABLE_NAME,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
  }
}
