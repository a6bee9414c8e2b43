/**
 * The endpoint-guard event bus of one region: member accounts forward CloudTrail calls to it,
 * detectors publish `Finding` events on it.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnEventBus, EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';
import { EVENT_BUS_NAME, FINDING_DETAIL_TYPE, FINDING_SOURCE } from '../names';

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export interface FindingsBusProps {
  /** @default 'endpoint-guard' */
  readonly eventBusName?: string;
  /**
   * Accept `PutEvents` from every account of this organization (`aws:PrincipalOrgID`): the
   * member accounts' forwarding rules. @default only this account may put events
   */
  readonly organizationId?: string;
  /** Home region: `Finding` events go to this queue (remediation). Exactly one of this and `forwardFindingsTo`. */
  readonly findingsQueue?: IQueue;
  /** Other regions: `Finding` events go on to the home region's bus. */
  readonly forwardFindingsTo?: IEventBus;
  /** Events a target could not take (after EventBridge's retries). */
  readonly deadLetterQueue: IQueue;
}

/**
 * @example
 * const bus = new FindingsBus(this, 'Bus', { organizationId: 'o-abc123def4', findingsQueue: queue.queue, deadLetterQueue: dlq });
 */
export class FindingsBus extends Construct {
  public readonly eventBus: EventBus;
  /** The rule that routes this account's `Finding` events to remediation (or to the home bus). */
  public readonly findingsRule: Rule;

  constructor(scope: Construct, id: string, props: FindingsBusProps) {
    super(scope, id);
    if ((props.findingsQueue === undefined) === (props.forwardFindingsTo === undefined)) {
      throw new InvalidPropsError(
        this.node.path,
        'findingsQueue / forwardFindingsTo',
        'exactly one must be given',
      );
    }
    if (props.organizationId !== undefined && !ORGANIZATION_ID.test(props.organizationId)) {
      throw new InvalidPropsError(
        this.node.path,
        'organizationId',
        `must look like o-abc123def4, not "${props.organizationId}"`,
      );
    }

    const eventBusName = props.eventBusName ?? EVENT_BUS_NAME;
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName,
      description: 'endpoint-guard: CloudTrail calls forwarded by member accounts, and Finding events',
    });
    if (props.organizationId !== undefined) {
      // Member accounts' rules send with a role of their own; only accounts of the organization may.
      // The policy is the bus's own `Policy` property rather than a separate
      // AWS::Events::EventBusPolicy: cdk-nag reads that resource's deprecated `principal`, which
      // printed a deprecation warning on every synth. (The ARN is spelled out: a GetAtt of the bus
      // inside its own properties would be circular.)
      const cfnBus = this.eventBus.node.defaultChild;
      if (!(cfnBus instanceof CfnEventBus)) throw new Error('the findings bus has no CfnEventBus');
      cfnBus.policy = {
        Version: '2012-10-17',
        Statement: [
          new PolicyStatement({
            sid: 'AllowOrganizationPutEvents',
            principals: [new AnyPrincipal()],
            actions: ['events:PutEvents'],
            resources: [
              Stack.of(this).formatArn({
                service: 'events',
                resource: 'event-bus',
                resourceName: eventBusName,
              }),
            ],
            conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
          }).toStatementJson(),
        ],
      };
    }

    // `account` is set by EventBridge from the caller and cannot be forged: a member account
    // can reach this bus, but it cannot make remediation act on a Finding it made up.
    this.findingsRule = new Rule(this, 'FindingsRule', {
      eventBus: this.eventBus,
      description: 'endpoint-guard: Finding events of this account',
      eventPattern: {
        source: [FINDING_SOURCE],
        detailType: [FINDING_DETAIL_TYPE],
        account: [Stack.of(this).account],
      },
    });
    if (props.findingsQueue !== undefined) {
      this.findingsRule.addTarget(
        new SqsQueue(props.findingsQueue, { deadLetterQueue: props.deadLetterQueue }),
      );
    } else if (props.forwardFindingsTo !== undefined) {
      this.findingsRule.addTarget(
        new EventBusTarget(props.forwardFindingsTo, { deadLetterQueue: props.deadLetterQueue }),
      );
    }
  }
}
