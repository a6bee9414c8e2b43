/**
 * The settings document (ARCHITECTURE.md, "The settings contract") in SSM Parameter Store, created with a valid
 * default: every rule in `ticket` mode, nothing fixed automatically until someone decides so.
 *
 * CloudFormation writes the value only when the template's value changes; edits made with
 * `endpoint-guard settings set` survive redeployments as long as this default stays the same.
 */
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { InvalidPropsError } from '../errors';
import { SETTINGS_PARAMETER_NAME } from '../names';

/** The default settings document: the documented shape with every rule left at `ticket`. */
export const DEFAULT_SETTINGS_DOCUMENT = {
  version: 1,
  defaultMode: 'ticket',
  dryRun: false,
  rules: {},
  accounts: {},
  exemptions: [],
  maxFixesPerAccountPerHour: 10,
  tickets: { sink: 'opscenter' },
} as const;

export interface SettingsParameterProps {
  /** @default '/endpoint-guard/settings' */
  readonly parameterName?: string;
  /** The initial document (serialized as JSON). @default {@link DEFAULT_SETTINGS_DOCUMENT} */
  readonly document?: Readonly<Record<string, unknown>>;
}

/**
 * @example
 * const settings = new SettingsParameter(this, 'Settings');
 * settings.parameter.grantRead(remediate);
 */
export class SettingsParameter extends Construct {
  public readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: SettingsParameterProps = {}) {
    super(scope, id);
    const parameterName = props.parameterName ?? SETTINGS_PARAMETER_NAME;
    if (!parameterName.startsWith('/')) {
      throw new InvalidPropsError(
        this.node.path,
        'parameterName',
        `must be a path such as /endpoint-guard/settings, not "${parameterName}"`,
      );
    }
    const value = JSON.stringify(props.document ?? DEFAULT_SETTINGS_DOCUMENT, null, 2);
    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName,
      description: 'endpoint-guard settings (edit with `endpoint-guard settings`); schema in the README',
      stringValue: value,
      tier: ParameterTier.STANDARD,
    });
  }
}
