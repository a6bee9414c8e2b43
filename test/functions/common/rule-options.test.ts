import { Logger } from '@aws-lambda-powertools/logger';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { settingsRuleOptions } from '../../../functions/common/rule-options';
import { DEFAULT_RULE_OPTIONS } from '../../../shared/rules/types';

const ssm = mockClient(SSMClient);
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

beforeEach(() => {
  ssm.reset();
});

describe('settingsRuleOptions', () => {
  it('reads the settings in the home region, once, and returns their rule options', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({
      Parameter: {
        Name: '/endpoint-guard/settings',
        Version: 1,
        Value: JSON.stringify({
          version: 1,
          rules: { 'gateway-endpoint-routes': { allowCreateEndpoint: true } },
        }),
      },
    });
    const regions: (string | undefined)[] = [];
    const load = settingsRuleOptions(
      () => ({ settingsParameter: '/endpoint-guard/settings', homeRegion: 'eu-west-1' }),
      logger,
      (region) => {
        regions.push(region);
        return new SSMClient({ region: region ?? 'us-east-1' });
      },
    );

    // Act
    const first = await load();
    const second = await load();

    // Assess
    expect(regions).toEqual(['eu-west-1']);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(first['gateway-endpoint-routes'].allowCreateEndpoint).toBe(true);
    expect(second).toEqual(first);
  });

  it('logs an invalid document and evaluates with the defaults when no valid one was ever read', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({
      Parameter: {
        Name: '/endpoint-guard/settings',
        Version: 2,
        Value: '{"version": 1, "defaultMode": "autofix"}',
      },
    });
    const error = vi.spyOn(logger, 'error');
    const load = settingsRuleOptions(
      () => ({ settingsParameter: '/endpoint-guard/settings', homeRegion: undefined }),
      logger,
      () => new SSMClient({ region: 'us-east-1' }),
    );

    // Act
    const options = await load();

    // Assess
    expect(options).toEqual(DEFAULT_RULE_OPTIONS);
    expect(error).toHaveBeenCalledWith('invalid settings document: the last valid settings stay in force', {
      problems: ['defaultMode: expected one of off, notify, ticket, auto-fix, got "autofix"'],
    });
  });
});
