/**
 * Builds the CDK app the way `infra/bin/app.ts` does (same feature flags from cdk.json, same
 * cdk-nag pack and acknowledgements), for Template assertions, snapshots and the nag check.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type PolicyValidationPluginReport, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CdkEnvironment, type DeploymentConfig, readDeploymentConfig } from '../../infra/config';
import { buildEndpointGuard, type EndpointGuardDeployment } from '../../infra/endpoint-guard-app';
import { acknowledgeNagFindings } from '../../infra/nag-suppressions';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');
/** Stand-in handlers (including `sweep`) that bundle in milliseconds. */
export const FIXTURE_FUNCTIONS = resolve(import.meta.dirname, 'fixtures/functions');

export const ACCOUNT = '111111111111';
export const ENV: CdkEnvironment = { CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'us-east-1' };
export const ORGANIZATION_CONTEXT = {
  organizationId: 'o-abc123def45',
  rootId: 'r-ab12',
  regions: 'us-east-1,eu-west-1',
  notificationEmails: 'secops@example.com',
} as const;

/** The feature flags and settings `cdk synth` uses (cdk.json's context). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson))
    throw new Error('cdk.json has no context');
  const { context } = cdkJson;
  if (typeof context !== 'object' || context === null) throw new Error('cdk.json context is not an object');
  return { ...context };
}

export interface TestApp {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly deployment: EndpointGuardDeployment;
  readonly pack: AwsSolutionsChecks;
  /** cdk-nag's verdict on the whole app (every stage), acknowledgements applied. */
  nagReport(): PolicyValidationPluginReport;
}

/**
 * @example
 * const { deployment } = buildTestApp({ ...ORGANIZATION_CONTEXT });
 */
export function buildTestApp(
  context: Record<string, unknown>,
  options: {
    readonly functionsDir?: string;
    readonly acknowledge?: boolean;
    /** CDK's built-in template checks (CloudFormation schema): ~5 s per app, so on demand. @default false */
    readonly cloudFormationValidation?: boolean;
  } = {},
): TestApp {
  const app = new App({
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
    context: { ...cdkJsonContext(), ...context },
    outdir: mkdtempSync(join(tmpdir(), 'endpoint-guard-cdk-')),
  });
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key), ENV);
  const deployment = buildEndpointGuard(
    app,
    config,
    options.functionsDir === undefined ? {} : { functionsDir: options.functionsDir },
  );
  const pack = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(pack);
  if (options.acknowledge !== false) acknowledgeNagFindings(deployment);
  return { app, config, deployment, pack, nagReport: () => pack.validateScope(app) };
}

/**
 * A template with what changes on every build removed: asset hashes (bundled code) and the
 * CDK metadata resource (library versions).
 */
export function normalizedTemplate(stack: Stack): unknown {
  const template = Template.fromStack(stack).toJSON();
  const resources: Record<string, unknown> = { ...template.Resources };
  delete resources.CDKMetadata;
  const text = JSON.stringify({ ...template, Resources: resources });
  return JSON.parse(text.replace(/[0-9a-f]{64}/g, '[ASSET-HASH]'));
}

/** The one resource of a type in a template (fails when there are none or several). */
export function onlyResource(template: Template, type: string): TemplateResource {
  const [resource, ...others] = Object.values(template.findResources(type));
  if (resource === undefined || others.length > 0) {
    throw new Error(`expected one ${type}, found ${others.length + (resource === undefined ? 0 : 1)}`);
  }
  const { Type, Properties } = resource;
  if (typeof Type !== 'string' || typeof Properties !== 'object' || Properties === null) {
    throw new Error(`the ${type} has no Type or Properties`);
  }
  return { ...resource, Type, Properties };
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly [key: string]: unknown;
}
