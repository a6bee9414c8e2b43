/**
 * EventBridge rules for the CloudTrail calls that can change a verdict, generated from the rule
 * registry: one rule per service (`aws.ec2`, `aws.s3`). Used three ways: in member accounts
 * (default bus -> central bus), on the central bus (-> `cloudtrail-event`), and in account mode
 * (default bus -> `cloudtrail-event`).
 */
import { type IEventBus, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { RULES } from '../../shared/rules/index';
import type { Rule as EndpointGuardRule } from '../../shared/rules/types';
import { InvalidPropsError } from '../errors';
import { type CloudTrailEventPattern, cloudTrailEventPatterns } from '../permissions';

export interface CloudTrailForwardingProps {
  /** Where the calls arrive. @default the account's default bus (where AWS services put them) */
  readonly eventBus?: IEventBus;
  /** Where matching calls go. */
  readonly target: IRuleTarget;
  /** @default every rule of the registry */
  readonly rules?: readonly EndpointGuardRule[];
}

/**
 * @example
 * new CloudTrailForwarding(this, 'Forwarding', { target: new targets.LambdaFunction(fn) });
 */
export class CloudTrailForwarding extends Construct {
  /** One EventBridge rule per CloudTrail event source, keyed by EventBridge source (`aws.ec2`). */
  public readonly rules: Readonly<Record<string, Rule>>;
  /** The patterns the rules match. */
  public readonly patterns: readonly CloudTrailEventPattern[];

  constructor(scope: Construct, id: string, props: CloudTrailForwardingProps) {
    super(scope, id);
    this.patterns = cloudTrailEventPatterns(props.rules ?? RULES);
    if (this.patterns.length === 0) {
      throw new InvalidPropsError(
        this.node.path,
        'rules',
        'declare no CloudTrail triggers: nothing to forward',
      );
    }
    const rules: Record<string, Rule> = {};
    for (const pattern of this.patterns) {
      const source = pattern.source[0] ?? '';
      const service = source.replace(/^aws\./, '');
      rules[source] = new Rule(this, `${service.charAt(0).toUpperCase()}${service.slice(1)}Calls`, {
        ...(props.eventBus === undefined ? {} : { eventBus: props.eventBus }),
        description: `endpoint-guard: ${source} API calls that can change a verdict`,
        eventPattern: {
          source: [...pattern.source],
          detailType: [...pattern['detail-type']],
          detail: {
            eventSource: [...pattern.detail.eventSource],
            eventName: [...pattern.detail.eventName],
            errorCode: [...pattern.detail.errorCode],
          },
        },
        targets: [props.target],
      });
    }
    this.rules = rules;
  }
}
