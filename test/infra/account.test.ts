/**
 * Account mode (`-c mode=account`): everything in one account and region, Config rules of the
 * account instead of organization rules, local EventBridge rules, no StackSet. Synthesized once,
 * with stand-in handlers (organization.test.ts bundles the real ones).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudTrailEventPatterns } from '../../infra/permissions';
import { RULES } from '../../shared/rules/index';
import { ACCOUNT, buildTestApp, FIXTURE_FUNCTIONS, normalizedTemplate, type TestApp } from './support';

let built: TestApp;
let template: Template;

beforeAll(() => {
  built = buildTestApp({ mode: 'account' }, { functionsDir: FIXTURE_FUNCTIONS });
  template = Template.fromStack(built.deployment.home);
});

describe('account mode', () => {
  it('builds one stack and nothing for an organization', () => {
    // Act
    const { deployment } = built;

    // Assess
    expect(deployment.home.stackName).toBe('EndpointGuard');
    expect(deployment.regional).toEqual([]);
    expect(deployment.members).toBeUndefined();
    expect(deployment.memberStack).toBeUndefined();
    template.resourceCountIs('AWS::Config::OrganizationConfigRule', 0);
    template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('creates an account Config rule per rule, invoked only by this account’s Config', () => {
    // Prepare
    const stack = built.deployment.home;
    const functionArn = stack.resolve(stack.regional.configRuleFunction.functionArn);
    const permission = stack.resolve(stack.regional.accountRules?.permission.logicalId);

    // Assess
    template.resourceCountIs('AWS::Config::ConfigRule', RULES.length);
    for (const rule of RULES) {
      template.hasResource('AWS::Config::ConfigRule', {
        DependsOn: [permission],
        Properties: {
          ConfigRuleName: `endpoint-guard-${rule.id}`,
          InputParameters: { ruleId: rule.id },
          Scope: { ComplianceResourceTypes: [rule.resourceType] },
          Source: {
            Owner: 'CUSTOM_LAMBDA',
            SourceIdentifier: functionArn,
            SourceDetails: [
              { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
              { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
              {
                EventSource: 'aws.config',
                MessageType: 'ScheduledNotification',
                MaximumExecutionFrequency: 'TwentyFour_Hours',
              },
            ],
          },
        },
      });
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'config.amazonaws.com',
      FunctionName: functionArn,
      SourceAccount: ACCOUNT,
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSConfigRulesExecutionRole');
  });

  it('routes CloudTrail calls from the account’s default bus straight to cloudtrail-event', () => {
    // Prepare
    const stack = built.deployment.home;
    const fn = stack.resolve(stack.regional.cloudTrailEventFunction.functionArn);

    // Assess
    for (const pattern of cloudTrailEventPatterns()) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: pattern,
        Targets: [Match.objectLike({ Arn: fn })],
      });
    }
  });

  it('lets the functions act in their own account without any member role', () => {
    // Prepare
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));

    // Assess
    expect(policies).not.toContain('sts:AssumeRole');
    expect(policies).toContain('ec2:ModifyVpcEndpoint');
    expect(policies).toContain('s3:PutBucketPublicAccessBlock');
    expect(policies).toContain('config:PutEvaluations');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'endpoint-guard-remediate',
      Environment: {
        Variables: Match.objectLike({ MEMBER_ROLE_NAME: 'EndpointGuardMember', HOME_REGION: 'us-east-1' }),
      },
    });
  });

  it('keeps the remediation queue, table, topic and settings of the organization mode', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/endpoint-guard/settings' });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('reports nothing unacknowledged', () => {
    // Act
    const report = built.nagReport();

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('snapshot', () => {
  it('matches the normalized template', () => {
    // Act
    const normalized = normalizedTemplate(built.deployment.home);

    // Assess
    expect(normalized).toMatchSnapshot();
  });
});
