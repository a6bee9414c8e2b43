/**
 * The service-managed StackSet that puts the member template (role + forwarding rules) into
 * every account of the target OUs, in every governed region, now and whenever an account joins.
 *
 * The template is carried inline (`TemplateBody`): it is synthesized from its own stack in its
 * own stage, and holds no assets, so member accounts need no CDK bootstrap.
 */
import { CfnParameter, Lazy, type Stack, Stage } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import type { StackSetCallAs } from '../config';
import { InvalidPropsError, MemberTemplateError } from '../errors';
import { MEMBER_STACK_SET_NAME } from '../names';

/** CloudFormation's limit on an inline `TemplateBody`. */
export const TEMPLATE_BODY_LIMIT = 51_200;

const TARGET = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

export interface MemberStackSetProps {
  /** The member template's stack; it must sit in a Stage of its own and hold no assets. */
  readonly memberStack: Stack;
  /** Values of the member template's parameters (tokens of this stack allowed). */
  readonly parameters: Readonly<Record<string, string>>;
  /** OU ids or the root id. */
  readonly targetOus: readonly string[];
  /** The governed regions. */
  readonly regions: readonly string[];
  /** @default 'DELEGATED_ADMIN' */
  readonly callAs?: StackSetCallAs;
  /** @default 'endpoint-guard-member' */
  readonly stackSetName?: string;
}

/**
 * The JSON template of a stack synthesized in its own stage. Synthesizing a stage is cached, so
 * reading it while the app synthesizes (nested stages come first) does not build it twice.
 *
 * @example
 * const body = templateBodyOf(memberStack);
 */
export function templateBodyOf(stack: Stack): string {
  const stage = Stage.of(stack);
  // A stage of its own: nested in the app (a stack directly in the app has the app as its stage,
  // and synthesizing that would be synthesizing everything).
  if (stage === undefined || Stage.of(stage) === undefined) {
    throw new MemberTemplateError(
      `${stack.node.path} must be in a Stage of its own to be synthesized to JSON`,
    );
  }
  const artifact = stage.synth().getStackArtifact(stack.artifactId);
  if (artifact.assets.length > 0) {
    throw new MemberTemplateError(`${stack.node.path} has assets: a StackSet cannot carry them inline`);
  }
  const body = JSON.stringify(artifact.template);
  if (Buffer.byteLength(body, 'utf8') > TEMPLATE_BODY_LIMIT) {
    throw new MemberTemplateError(
      `${stack.node.path} is ${Buffer.byteLength(body, 'utf8')} bytes, over the ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit`,
    );
  }
  return body;
}

/**
 * @example
 * new MemberStackSet(this, 'MemberStackSet', { memberStack, parameters: { CentralAccountId: Aws.ACCOUNT_ID },
 *   targetOus: ['r-abcd'], regions: ['us-east-1', 'eu-west-1'] });
 */
export class MemberStackSet extends Construct {
  public readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id);
    if (props.targetOus.length === 0)
      throw new InvalidPropsError(this.node.path, 'targetOus', 'must list an OU or the root');
    for (const target of props.targetOus) {
      if (!TARGET.test(target)) {
        throw new InvalidPropsError(
          this.node.path,
          'targetOus',
          `lists "${target}", not an OU (ou-...) or root (r-...) id`,
        );
      }
    }
    if (props.regions.length === 0)
      throw new InvalidPropsError(this.node.path, 'regions', 'must list a region');
    const declared = new Map(
      props.memberStack.node.children
        .filter((child): child is CfnParameter => child instanceof CfnParameter)
        .map((parameter) => [parameter.node.id, parameter]),
    );
    for (const key of Object.keys(props.parameters)) {
      if (!declared.has(key)) {
        throw new InvalidPropsError(
          this.node.path,
          'parameters',
          `sets "${key}", which the member template does not declare`,
        );
      }
    }
    for (const [key, parameter] of declared) {
      if (parameter.default === undefined && props.parameters[key] === undefined) {
        throw new InvalidPropsError(this.node.path, 'parameters', `lacks "${key}", which has no default`);
      }
    }

    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: props.stackSetName ?? MEMBER_STACK_SET_NAME,
      description: 'endpoint-guard: member role and CloudTrail forwarding rules',
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs ?? 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      parameters: Object.entries(props.parameters).map(([parameterKey, parameterValue]) => ({
        parameterKey,
        parameterValue,
      })),
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.targetOus] },
          regions: [...props.regions],
        },
      ],
      templateBody: Lazy.string({ produce: () => templateBodyOf(props.memberStack) }),
    });
  }
}
