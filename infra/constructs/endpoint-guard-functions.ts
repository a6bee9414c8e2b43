/**
 * The Lambda functions, bundled locally with esbuild (no Docker), from the table
 * {@link FUNCTION_SPECS}: adding a function is one row there and one `functions/<name>/handler.ts`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type IDestination,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InvalidPropsError, MissingHandlerError } from '../errors';
import {
  FUNCTION_ROLE_PREFIX,
  functionName,
  functionRoleName,
  METRICS_NAMESPACE,
  POWERTOOLS_SERVICE_NAME,
} from '../names';

export type FunctionName = 'config-rule' | 'cloudtrail-event' | 'remediate' | 'sweep';

/** The environment variables of ARCHITECTURE.md's "Function contract", plus `HOME_REGION`. */
export type FunctionVariable =
  | 'EVENT_BUS_NAME'
  | 'MEMBER_ROLE_NAME'
  | 'SETTINGS_PARAMETER'
  | 'TABLE_NAME'
  | 'TOPIC_ARN'
  | 'AGGREGATOR_NAME'
  | 'HOME_REGION'
  | 'AUDIT_KEY_ID';

export interface FunctionSpec {
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** The contract variables it reads. */
  readonly variables: readonly FunctionVariable[];
  /** Whether it enters member accounts through the member role (the role trusts exactly these). */
  readonly assumesMemberRole: boolean;
  /** Invoked asynchronously (Config, EventBridge, Scheduler): failures go to an on-failure queue. */
  readonly asynchronous: boolean;
  /** Deployed in every governed region (detectors fed by regional events) or the home region only. */
  readonly placement: 'every-region' | 'home-region';
}

/**
 * One row per function. `HOME_REGION` is the region of the settings parameter, table and topic:
 * a function in another governed region builds its clients for those with it (the default
 * chain's region is the function's own).
 */
export const FUNCTION_SPECS: Readonly<Record<FunctionName, FunctionSpec>> = {
  'config-rule': {
    description: 'endpoint-guard: evaluates resources for the AWS Config organization rules',
    timeout: Duration.seconds(60),
    memorySize: 512,
    variables: ['EVENT_BUS_NAME', 'MEMBER_ROLE_NAME', 'SETTINGS_PARAMETER', 'HOME_REGION'],
    assumesMemberRole: true,
    asynchronous: true,
    placement: 'every-region',
  },
  'cloudtrail-event': {
    description: 'endpoint-guard: re-evaluates resources touched by CloudTrail API calls',
    timeout: Duration.seconds(60),
    memorySize: 512,
    variables: ['EVENT_BUS_NAME', 'MEMBER_ROLE_NAME', 'SETTINGS_PARAMETER', 'HOME_REGION'],
    assumesMemberRole: true,
    asynchronous: true,
    placement: 'every-region',
  },
  remediate: {
    description: 'endpoint-guard: decides and acts on findings (fix, ticket, notify)',
    timeout: Duration.seconds(120),
    memorySize: 512,
    // EVENT_BUS_NAME: it puts a `Remediation` event per finding processed.
    variables: [
      'EVENT_BUS_NAME',
      'MEMBER_ROLE_NAME',
      'SETTINGS_PARAMETER',
      'TABLE_NAME',
      'TOPIC_ARN',
      'HOME_REGION',
      'AUDIT_KEY_ID',
    ],
    assumesMemberRole: true,
    asynchronous: false,
    placement: 'home-region',
  },
  sweep: {
    description: 'endpoint-guard: periodic sweep of the Config aggregator for missed findings',
    timeout: Duration.minutes(15),
    memorySize: 1024,
    variables: [
      'EVENT_BUS_NAME',
      'MEMBER_ROLE_NAME',
      'SETTINGS_PARAMETER',
      'TABLE_NAME',
      'AGGREGATOR_NAME',
      'HOME_REGION',
    ],
    // The aggregator does not say in which AZs an endpoint service is offered: the sweep asks
    // the member account (ec2:DescribeVpcEndpointServices) when a rule needs it.
    assumesMemberRole: true,
    asynchronous: true,
    placement: 'home-region',
  },
};

/**
 * The names of the central roles that enter member accounts, in every governed region: what
 * the member role trusts.
 *
 * @example
 * memberRoleTrustees(['config-rule', 'cloudtrail-event', 'remediate'], 'us-east-1', ['us-east-1']);
 */
export function memberRoleTrustees(
  deployed: readonly FunctionName[],
  homeRegion: string,
  regions: readonly string[],
): string[] {
  return deployed
    .filter((name) => FUNCTION_SPECS[name].assumesMemberRole)
    .flatMap((name) =>
      FUNCTION_SPECS[name].placement === 'every-region'
        ? regions.map((region) => functionRoleName(name, region))
        : [functionRoleName(name, homeRegion)],
    );
}

/** The repository root (this file is `infra/constructs/endpoint-guard-functions.ts`). */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `functions/<name>/handler.ts` live. */
export const DEFAULT_FUNCTIONS_DIR = join(REPOSITORY_ROOT, 'functions');

/**
 * The entry file of a function.
 *
 * @example
 * entryOf('remediate'); // '<repo>/functions/remediate/handler.ts'
 */
export function entryOf(name: FunctionName, functionsDir: string = DEFAULT_FUNCTIONS_DIR): string {
  return join(functionsDir, name, 'handler.ts');
}

/** Whether a function's entry file exists (so an optional function can be left out until it does). */
export function hasHandler(name: FunctionName, functionsDir: string = DEFAULT_FUNCTIONS_DIR): boolean {
  return existsSync(entryOf(name, functionsDir));
}

/** The script that builds one function bundle (scripts/lambda-bundling.ts `buildLambda`). */
const BUILD_SCRIPT = join(REPOSITORY_ROOT, 'scripts', 'build-lambda.ts');

/**
 * Bundles built by this process, by entry: an app deploys the detectors in every governed region,
 * and the sources do not change while it synthesizes, so each entry is built once and copied.
 */
const built = new Map<string, string>();

function bundleOnce(entry: string): string {
  const cached = built.get(entry);
  if (cached !== undefined) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'endpoint-guard-bundle-'));
  const result = spawnSync(process.execPath, ['--import', 'tsx', BUILD_SCRIPT, entry, outdir], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`cannot bundle ${entry}: ${(result.stderr || String(result.error)).trim()}`);
  }
  built.set(entry, outdir);
  return outdir;
}

/**
 * The code of a function: its entry bundled by `buildLambda` (scripts/lambda-bundling.ts), the
 * same build the cold-start benchmark (bench/bundle.ts) measures, so what is measured is what
 * deploys: ESM with the `createRequire` banner, minified, source map beside it, target node22,
 * the SDK bundled with its unused schemas shaken out. Built locally (never Docker: the app
 * synthesizes offline); the asset is named by the hash of the bundle.
 *
 * @example
 * new LambdaFunction(this, 'Fn', { code: functionCode(entryOf('sweep')), handler: 'index.handler', ... });
 */
export function functionCode(entry: string): Code {
  return Code.fromAsset(dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled: the local build below always runs or fails.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      local: {
        tryBundle(outputDir: string): boolean {
          cpSync(bundleOnce(entry), outputDir, { recursive: true });
          return true;
        },
      },
    },
  });
}

export interface EndpointGuardFunctionsProps {
  /** The functions to create here. */
  readonly functions: readonly FunctionName[];
  /** Values of the contract variables; each function gets the ones its spec lists. */
  readonly variables: Readonly<Partial<Record<FunctionVariable, string>>>;
  /** Where failed asynchronous invocations go (after Lambda's retries). Required when an asynchronous function is created. */
  readonly onFailure?: IDestination;
  /** Reserved concurrency per function. @default none (a new account's concurrency quota may not allow any) */
  readonly reservedConcurrency?: Readonly<Partial<Record<FunctionName, number>>>;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** @default `<repo>/functions` */
  readonly functionsDir?: string;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * The endpoint-guard Lambda functions of one stack: Node.js 24 on arm64, bundled with
 * {@link functionCode} (ESM, minified, source maps, target node22, the SDK included), one
 * log group each with a retention, one named role each (`endpoint-guard-<function>-<region>`, so
 * member roles can trust them by ARN).
 *
 * @example
 * const fns = new EndpointGuardFunctions(this, 'Functions', {
 *   functions: ['config-rule', 'cloudtrail-event'],
 *   variables: { EVENT_BUS_NAME: 'endpoint-guard', MEMBER_ROLE_NAME: 'EndpointGuardMember',
 *     SETTINGS_PARAMETER: '/endpoint-guard/settings', HOME_REGION: 'us-east-1' },
 *   onFailure: new SqsDestination(dlq),
 * });
 * fns.functions['config-rule']; // LambdaFunction
 */
export class EndpointGuardFunctions extends Construct {
  /** The functions created, by name. */
  public readonly functions: Readonly<Partial<Record<FunctionName, LambdaFunction>>>;
  /** Their execution roles, by name. */
  public readonly roles: Readonly<Partial<Record<FunctionName, Role>>>;
  /** Their log groups, by name. */
  public readonly logGroups: Readonly<Partial<Record<FunctionName, LogGroup>>>;

  constructor(scope: Construct, id: string, props: EndpointGuardFunctionsProps) {
    super(scope, id);
    const functionsDir = props.functionsDir ?? DEFAULT_FUNCTIONS_DIR;
    const region = Stack.of(this).region;
    validate(this.node.path, props, functionsDir, region);

    const functions: Partial<Record<FunctionName, LambdaFunction>> = {};
    const roles: Partial<Record<FunctionName, Role>> = {};
    const logGroups: Partial<Record<FunctionName, LogGroup>> = {};
    for (const name of props.functions) {
      const spec = FUNCTION_SPECS[name];
      const id = pascalCase(name);
      const logGroup = new LogGroup(this, `${id}Logs`, {
        retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new Role(this, `${id}Role`, {
        roleName: functionRoleName(name, region),
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `endpoint-guard ${name} function in ${region}`,
      });
      // The function's own log group only (no AWSLambdaBasicExecutionRole: it allows every group).
      role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      const environment: Record<string, string> = {
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        FUNCTION_ROLE_PREFIX,
        // Stack traces point into the TypeScript sources (the bundles carry source maps).
        NODE_OPTIONS: '--enable-source-maps',
      };
      for (const variable of spec.variables) {
        const value = props.variables[variable];
        if (value !== undefined) environment[variable] = value;
      }
      const reserved = props.reservedConcurrency?.[name];
      functions[name] = new LambdaFunction(this, id, {
        functionName: functionName(name),
        code: functionCode(entryOf(name, functionsDir)),
        handler: 'index.handler',
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        description: spec.description,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        role,
        logGroup,
        environment,
        ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }),
        ...(spec.asynchronous && props.onFailure ? { onFailure: props.onFailure, retryAttempts: 2 } : {}),
      });
      roles[name] = role;
      logGroups[name] = logGroup;
    }
    this.functions = functions;
    this.roles = roles;
    this.logGroups = logGroups;
  }
}

function validate(
  path: string,
  props: EndpointGuardFunctionsProps,
  functionsDir: string,
  region: string,
): void {
  if (Token.isUnresolved(region)) {
    throw new InvalidPropsError(path, 'stack region', 'must be concrete: role names carry the region');
  }
  if (new Set(props.functions).size !== props.functions.length) {
    throw new InvalidPropsError(path, 'functions', `lists a function twice: ${props.functions.join(', ')}`);
  }
  for (const name of props.functions) {
    const spec = FUNCTION_SPECS[name];
    if (spec === undefined)
      throw new InvalidPropsError(path, 'functions', `names an unknown function "${name}"`);
    const missing = spec.variables.filter((variable) => props.variables[variable] === undefined);
    if (missing.length > 0) {
      throw new InvalidPropsError(path, 'variables', `lacks ${missing.join(', ')} for function "${name}"`);
    }
    if (spec.asynchronous && props.onFailure === undefined) {
      throw new InvalidPropsError(path, 'onFailure', `is required: "${name}" is invoked asynchronously`);
    }
    const reserved = props.reservedConcurrency?.[name];
    if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) {
      throw new InvalidPropsError(path, 'reservedConcurrency', `must be a positive integer for "${name}"`);
    }
    const entry = entryOf(name, functionsDir);
    if (!existsSync(entry)) throw new MissingHandlerError(name, entry);
  }
}

/** `cloudtrail-event` -> `CloudtrailEvent` (construct ids are PascalCase). */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
