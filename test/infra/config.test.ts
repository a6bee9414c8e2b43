/**
 * Spec tests for the deployment configuration read from CDK context (infra/config.ts).
 */
import { describe, expect, it } from 'vitest';
import { type CdkEnvironment, readDeploymentConfig } from '../../infra/config';
import { DeploymentConfigError } from '../../infra/errors';

const ORG = { organizationId: 'o-abc123def45', rootId: 'r-ab12' };
const ENV: CdkEnvironment = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

function read(context: Record<string, unknown>, env: CdkEnvironment = ENV) {
  return readDeploymentConfig((key) => context[key], env);
}

function errorOf(context: Record<string, unknown>, env: CdkEnvironment = ENV): DeploymentConfigError {
  try {
    read(context, env);
  } catch (error) {
    if (error instanceof DeploymentConfigError) return error;
    throw error;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('readDeploymentConfig', () => {
  it('defaults to organization mode in the CLI region, targeting the root, with the default member role', () => {
    // Act
    const config = read(ORG);

    // Assess
    expect(config).toEqual({
      mode: 'organization',
      account: '111111111111',
      homeRegion: 'us-east-1',
      regions: ['us-east-1'],
      organizationId: 'o-abc123def45',
      targetOus: ['r-ab12'],
      excludedAccounts: [],
      notificationEmails: [],
      memberRoleName: 'EndpointGuardMember',
      stackSetCallAs: 'DELEGATED_ADMIN',
      sweep: 'auto',
    });
  });

  it('reads comma lists, puts the home region first and drops duplicates', () => {
    // Act
    const config = read({
      ...ORG,
      homeRegion: 'eu-west-1',
      regions: 'us-east-1, eu-west-1,us-east-1',
      targetOus: 'ou-ab12-abcdefgh,ou-ab12-12345678',
      notificationEmails: 'secops@example.com,noc@example.com',
      excludedAccounts: '222222222222',
    });

    // Assess
    expect(config.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(config.targetOus).toEqual(['ou-ab12-abcdefgh', 'ou-ab12-12345678']);
    expect(config.notificationEmails).toEqual(['secops@example.com', 'noc@example.com']);
    expect(config.excludedAccounts).toEqual(['222222222222']);
  });

  it('reads JSON arrays from cdk.json the same way', () => {
    // Act
    const config = read({ ...ORG, regions: ['us-east-1', 'eu-central-1'], targetOus: ['ou-ab12-abcdefgh'] });

    // Assess
    expect(config.regions).toEqual(['us-east-1', 'eu-central-1']);
    expect(config.targetOus).toEqual(['ou-ab12-abcdefgh']);
  });

  it('needs no organization in account mode and keeps the account env-agnostic when unknown', () => {
    // Act
    const config = read({ mode: 'account' }, { CDK_DEFAULT_REGION: 'eu-west-1' });

    // Assess
    expect(config).toMatchObject({
      mode: 'account',
      account: undefined,
      homeRegion: 'eu-west-1',
      regions: ['eu-west-1'],
      organizationId: undefined,
      targetOus: [],
    });
  });

  it.each([
    [{ ...ORG, mode: 'org' }, {}, 'mode', 'context "mode" must be one of organization, account, not "org"'],
    [ORG, { CDK_DEFAULT_ACCOUNT: '111111111111' }, 'homeRegion', 'context "homeRegion" is not set'],
    [
      { ...ORG, homeRegion: 'useast1' },
      ENV,
      'homeRegion',
      'must be a region such as us-east-1, not "useast1"',
    ],
    [{ ...ORG, regions: 'eu-west-1' }, ENV, 'regions', 'must include the home region us-east-1'],
    [{ mode: 'account', regions: 'us-east-1,eu-west-1' }, ENV, 'regions', 'must be the home region only'],
    [
      { rootId: 'r-ab12' },
      ENV,
      'organizationId',
      'must be the organization id (o-...) in organization mode, not missing',
    ],
    [
      { organizationId: 'o-abc123def45' },
      ENV,
      'targetOus',
      'is not set: pass -c targetOus=ou-... or -c rootId=r-...',
    ],
    [
      { ...ORG, targetOus: 'ou-bad' },
      ENV,
      'targetOus',
      'must list OU ids (ou-...) or the root id (r-...), not "ou-bad"',
    ],
    [
      { ...ORG, notificationEmails: 'secops' },
      ENV,
      'notificationEmails',
      'must list email addresses, not "secops"',
    ],
    [
      { ...ORG, regions: 'us-east-1,mars-1' },
      ENV,
      'regions',
      'must list regions such as eu-west-1, not "mars-1"',
    ],
    [{ ...ORG, account: '12345' }, ENV, 'account', 'must be a 12-digit account id, not "12345"'],
    [
      { ...ORG, memberRoleName: 'bad name' },
      ENV,
      'memberRoleName',
      'must be an IAM role name, not "bad name"',
    ],
    [{ ...ORG, callAs: 'ADMIN' }, ENV, 'callAs', 'must be one of DELEGATED_ADMIN, SELF, not "ADMIN"'],
    [{ ...ORG, sweep: 'maybe' }, ENV, 'sweep', 'must be auto, true or false, not "maybe"'],
    [{ ...ORG, regions: 3 }, ENV, 'regions', 'must be a comma-separated list or an array of strings'],
  ])('rejects %j (env %j): names %s', (context, env, key, message) => {
    // Act
    const error = errorOf(context, env);

    // Assess
    expect(error.key).toBe(key);
    expect(error.message).toContain(message);
  });
});
