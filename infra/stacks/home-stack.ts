/**
 * The home region of the central account: the state (table, settings, secrets), the decisions
 * (remediation queue and function), the people-facing side (topic, dashboard, alarms), the
 * periodic sweep, and the home region's own detectors.
 *
 * Why remediation lives here only, not in every region: the functions build their SDK clients
 * from the default chain, whose region is their own, and the table, topic and settings exist
 * once. Detectors run where the events are (Config rules and buses are regional) and forward
 * their findings to this region's bus; one `remediate` acts in any region through
 * region-specific clients.
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { AuditKey } from '../constructs/audit-key';
import { grantCentral } from '../constructs/central-grants';
import { EndpointGuardFunctions, type FunctionName } from '../constructs/endpoint-guard-functions';
import { EndpointGuardRegion } from '../constructs/endpoint-guard-region';
import { FindingsTable } from '../constructs/findings-table';
import { NotificationTopic } from '../constructs/notification-topic';
import { OperationsAlarms } from '../constructs/operations-alarms';
import { OperationsDashboard } from '../constructs/operations-dashboard';
import { RemediationQueue } from '../constructs/remediation-queue';
import { SettingsParameter } from '../constructs/settings-parameter';
import { Sweep } from '../constructs/sweep';
import { TicketSecrets } from '../constructs/ticket-secrets';
import { InvalidPropsError } from '../errors';
import { AGGREGATOR_NAME, EVENT_BUS_NAME, functionRoleName, SETTINGS_PARAMETER_NAME } from '../names';

export interface EndpointGuardHomeStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** Deploy the `sweep` function, its aggregator and schedule. @default false */
  readonly includeSweep?: boolean;
  /** @default `<repo>/functions` */
  readonly functionsDir?: string;
}

/**
 * @example
 * new EndpointGuardHomeStack(app, 'EndpointGuardHome', { env: { region: 'us-east-1' }, config });
 */
export class EndpointGuardHomeStack extends Stack {
  public readonly settings: SettingsParameter;
  public readonly table: FindingsTable;
  public readonly notifications: NotificationTopic;
  public readonly ticketSecrets: TicketSecrets;
  /** Signs audit records (remediate); rollback verifies with it. */
  public readonly auditKey: AuditKey;
  public readonly remediateFunction: LambdaFunction;
  public readonly remediationQueue: RemediationQueue;
  /** The home region's bus, detectors and Config rules. */
  public readonly regional: EndpointGuardRegion;
  public readonly sweep: Sweep | undefined;
  public readonly sweepFunction: LambdaFunction | undefined;
  public readonly alarms: OperationsAlarms;
  public readonly dashboard: OperationsDashboard;
  /** The functions this stack deploys. */
  public readonly deployedFunctions: readonly FunctionName[];

  constructor(scope: Construct, id: string, props: EndpointGuardHomeStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (this.region !== config.homeRegion) {
      throw new InvalidPropsError(
        this.node.path,
        'env.region',
        `must be the home region ${config.homeRegion}`,
      );
    }
    const functionsDir = props.functionsDir === undefined ? {} : { functionsDir: props.functionsDir };
    const organization = config.mode === 'organization';

    this.settings = new SettingsParameter(this, 'Settings');
    this.table = new FindingsTable(this, 'FindingsTable');
    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    this.ticketSecrets = new TicketSecrets(this, 'TicketSecrets');
    this.auditKey = new AuditKey(this, 'AuditKey', {
      signerRoleName: functionRoleName('remediate', config.homeRegion),
    });

    const remediation = new EndpointGuardFunctions(this, 'RemediationFunctions', {
      functions: ['remediate'],
      variables: {
        EVENT_BUS_NAME,
        MEMBER_ROLE_NAME: config.memberRoleName,
        SETTINGS_PARAMETER: SETTINGS_PARAMETER_NAME,
        TABLE_NAME: this.table.table.tableName,
        TOPIC_ARN: this.notifications.topic.topicArn,
        HOME_REGION: config.homeRegion,
        AUDIT_KEY_ID: this.auditKey.key.keyArn,
      },
      ...functionsDir,
    });
    const remediate = remediation.functions.remediate;
    if (remediate === undefined)
      throw new InvalidPropsError(this.node.path, 'functions', 'did not create remediate');
    this.remediateFunction = remediate;
    this.remediationQueue = new RemediationQueue(this, 'RemediationQueue', { consumer: remediate });

    this.regional = new EndpointGuardRegion(this, 'Region', {
      mode: config.mode,
      homeRegion: config.homeRegion,
      regions: config.regions,
      memberRoleName: config.memberRoleName,
      findingsQueue: this.remediationQueue.queue,
      excludedAccounts: config.excludedAccounts,
      ...(config.organizationId === undefined ? {} : { organizationId: config.organizationId }),
      ...functionsDir,
    });

    // Exactly what FindingStore and Powertools Idempotency call: no Scan, no batch writes.
    this.table.table.grant(
      remediate,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    this.auditKey.grantSign(remediate);
    this.notifications.topic.grantPublish(remediate);
    this.regional.bus.eventBus.grantPutEventsTo(remediate);
    for (const secret of Object.values(this.ticketSecrets.secrets)) secret.grantRead(remediate);
    // Remediation re-reads live state before it changes anything, so it detects as well as fixes.
    grantCentral(this.roleOf(remediate), {
      homeRegion: config.homeRegion,
      regions: config.regions,
      detect: true,
      fix: true,
      ...(organization ? { memberRoleName: config.memberRoleName } : {}),
    });
    // The default ticket sink: OpsCenter OpsItems in this account and region.
    remediate.addToRolePolicy(
      new PolicyStatement({
        sid: 'OpsCenterTickets',
        actions: ['ssm:CreateOpsItem', 'ssm:GetOpsItem', 'ssm:UpdateOpsItem', 'ssm:AddTagsToResource'],
        resources: [`arn:${Aws.PARTITION}:ssm:${config.homeRegion}:${Aws.ACCOUNT_ID}:opsitem/*`],
      }),
    );
    // The Security Hub sink (settings `securityHub.enabled`): this account's own integration in the
    // home region, the only product that takes findings whose AwsAccountId is this account.
    remediate.addToRolePolicy(
      new PolicyStatement({
        sid: 'SecurityHubFindings',
        actions: ['securityhub:BatchImportFindings'],
        resources: [
          `arn:${Aws.PARTITION}:securityhub:${config.homeRegion}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`,
        ],
      }),
    );
    remediate.addToRolePolicy(
      new PolicyStatement({
        sid: 'OpsCenterFindTickets',
        actions: ['ssm:DescribeOpsItems'],
        resources: ['*'],
      }),
    );

    const alarmed: Record<string, IFunction> = {
      remediate,
      'config-rule': this.regional.configRuleFunction,
      'cloudtrail-event': this.regional.cloudTrailEventFunction,
    };
    if (props.includeSweep === true) {
      const sweepFunctions = new EndpointGuardFunctions(this, 'SweepFunctions', {
        functions: ['sweep'],
        variables: {
          EVENT_BUS_NAME,
          MEMBER_ROLE_NAME: config.memberRoleName,
          SETTINGS_PARAMETER: SETTINGS_PARAMETER_NAME,
          TABLE_NAME: this.table.table.tableName,
          AGGREGATOR_NAME,
          HOME_REGION: config.homeRegion,
        },
        onFailure: new SqsDestination(this.regional.deadLetterQueue),
        ...functionsDir,
      });
      const sweep = sweepFunctions.functions.sweep;
      if (sweep === undefined)
        throw new InvalidPropsError(this.node.path, 'functions', 'did not create sweep');
      this.sweepFunction = sweep;
      // The Sweep construct grants the sweep exactly what its adapters call (no table-wide
      // grantReadWriteData: the sweep only BatchGets statuses and updates its checkpoint).
      this.sweep = new Sweep(this, 'Sweep', {
        mode: config.mode,
        function: sweep,
        regions: config.regions,
        homeRegion: config.homeRegion,
        table: this.table.table,
        eventBus: this.regional.bus.eventBus,
        ...(organization ? { memberRoleName: config.memberRoleName } : {}),
        deadLetterQueue: this.regional.deadLetterQueue,
      });
      alarmed.sweep = sweep;
    } else {
      this.sweepFunction = undefined;
      this.sweep = undefined;
    }
    this.deployedFunctions = [
      'config-rule',
      'cloudtrail-event',
      'remediate',
      ...(props.includeSweep === true ? (['sweep'] as const) : []),
    ];

    this.alarms = new OperationsAlarms(this, 'Alarms', {
      functions: alarmed,
      deadLetterQueues: {
        remediation: this.remediationQueue.deadLetterQueue,
        detectors: this.regional.deadLetterQueue,
      },
      topic: this.notifications.topic,
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      homeRegion: config.homeRegion,
      regions: config.regions,
      homeFunctions: props.includeSweep === true ? ['remediate', 'sweep'] : ['remediate'],
      regionalFunctions: ['config-rule', 'cloudtrail-event'],
    });
  }

  private roleOf(fn: LambdaFunction) {
    const role = fn.role;
    if (role === undefined)
      throw new InvalidPropsError(this.node.path, 'functions', `${fn.node.id} has no role`);
    return role;
  }
}
