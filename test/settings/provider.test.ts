import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../shared/settings/decision';
import { SettingsReadError, type SettingsValidationError } from '../../shared/settings/errors';
import { SettingsProvider } from '../../shared/settings/provider';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings/schema';
import { finding } from './support';

const PARAMETER = '/endpoint-guard/settings';
const ssmMock = mockClient(SSMClient);

const VALID = JSON.stringify({ version: 1, rules: { 's3-bucket-public-access': { mode: 'auto-fix' } } });
const VALID_NOTIFY = JSON.stringify({ version: 1, defaultMode: 'notify' });
const INVALID = JSON.stringify({ version: 1, defaultMode: 'autofix' });
const ALL_AUTO_FIX_BUT_INVALID = JSON.stringify({
  version: 1,
  defaultMode: 'auto-fix',
  rules: { 's3-bucket-public-access': { mode: 'auto-fix' } },
  dryRun: 'no',
});

function parameter(value: string, version: number) {
  return { Parameter: { Name: PARAMETER, Type: 'String' as const, Value: value, Version: version } };
}

function notFound() {
  return new ParameterNotFound({ message: '', $metadata: {} });
}

function throttled() {
  return new SSMServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: {},
  });
}

/** A provider on a clock the test moves, recording every onInvalid / onReadError call. */
function setup(options: { maxAgeSeconds?: number; failOnInvalid?: boolean } = {}) {
  let time = 1_000_000;
  const invalid: SettingsValidationError[] = [];
  const readErrors: SettingsReadError[] = [];
  const provider = new SettingsProvider({
    ssm: new SSMClient({ region: 'us-east-1' }),
    parameterName: PARAMETER,
    ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
    now: () => time,
    onInvalid: async (error) => {
      invalid.push(error);
      if (options.failOnInvalid) throw new Error('SNS is down');
    },
    onReadError: (error) => {
      readErrors.push(error);
    },
  });
  return {
    provider,
    invalid,
    readErrors,
    advance: (seconds: number) => {
      time += seconds * 1000;
    },
  };
}

describe('SettingsProvider', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('reads the parameter with GetParameter, without decryption, and parses it', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(VALID, 1));
    const { provider } = setup();

    // Act
    const settings = await provider.get();

    // Assess
    expect(settings.rules['s3-bucket-public-access'].mode).toBe('auto-fix');
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: PARAMETER,
      WithDecryption: false,
    });
  });

  it('makes one GetParameter for two reads within maxAge, and reads again after it', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolvesOnce(parameter(VALID, 1)).resolves(parameter(VALID_NOTIFY, 2));
    const { provider, advance } = setup();

    // Act
    const first = await provider.get();
    advance(59.999);
    const second = await provider.get();
    advance(0.001);
    const third = await provider.get();

    // Assess
    expect(second).toBe(first);
    expect(third.defaultMode).toBe('notify');
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('honours a shorter maxAge', async () => {
    ssmMock.on(GetParameterCommand).resolves(parameter(VALID, 1));
    const { provider, advance } = setup({ maxAgeSeconds: 5 });

    await provider.get();
    advance(4);
    await provider.get();
    advance(1);
    await provider.get();

    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('reads on every call with maxAge 0', async () => {
    ssmMock.on(GetParameterCommand).resolves(parameter(VALID, 1));
    const { provider } = setup({ maxAgeSeconds: 0 });

    await provider.get();
    await provider.get();

    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('shares one GetParameter between concurrent reads', async () => {
    ssmMock.on(GetParameterCommand).resolves(parameter(VALID, 1));
    const { provider } = setup();

    const results = await Promise.all([provider.get(), provider.get(), provider.get()]);

    expect(new Set(results).size).toBe(1);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('returns the defaults when the parameter does not exist, and caches that too', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(notFound());
    const { provider, invalid } = setup();

    // Act
    const first = await provider.get();
    const second = await provider.get();

    // Assess
    expect(first).toBe(DEFAULT_SETTINGS);
    expect(second).toBe(DEFAULT_SETTINGS);
    expect(invalid).toEqual([]);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('keeps the last valid settings when the document becomes invalid, and reports it once', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolvesOnce(parameter(VALID, 1)).resolves(parameter(INVALID, 2));
    const { provider, invalid, advance } = setup();
    const valid = await provider.get();

    // Act
    advance(60);
    const afterInvalid = await provider.get();
    advance(60);
    const later = await provider.get();

    // Assess
    expect(afterInvalid).toBe(valid);
    expect(later).toBe(valid);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 3);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.problems).toEqual([
      'defaultMode: expected one of off, notify, ticket, auto-fix, got "autofix"',
    ]);
    expect(invalid[0]?.message).toBe(
      `${PARAMETER} (version 2): invalid settings: defaultMode: expected one of off, notify, ticket, auto-fix, got "autofix"`,
    );
  });

  it('reports each distinct invalid version, and takes a valid one again', async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce(parameter(VALID, 1))
      .resolvesOnce(parameter(INVALID, 2))
      .resolvesOnce(parameter('{not json', 3))
      .resolves(parameter(VALID_NOTIFY, 4));
    const { provider, invalid, advance } = setup();

    // Act
    const results: Settings[] = [];
    for (let read = 0; read < 4; read++) {
      results.push(await provider.get());
      advance(60);
    }

    // Assess
    expect(results.map((settings) => settings.defaultMode)).toEqual(['ticket', 'ticket', 'ticket', 'notify']);
    expect(invalid.map((error) => error.problems[0]?.split(':')[0])).toEqual(['defaultMode', '(document)']);
    expect(invalid[1]?.problems[0]).toMatch(/^\(document\): not valid JSON: /);
  });

  it('when no valid document was ever read, caps every mode at ticket: nothing is auto-fixed', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(parameter(ALL_AUTO_FIX_BUT_INVALID, 7));
    const { provider, invalid } = setup();

    // Act
    const settings = await provider.get();

    // Assess
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(JSON.stringify(settings)).not.toContain('auto-fix');
    expect(
      decide(finding(), settings, { fixesThisHourForAccount: 0, previousFixFailed: false }, new Date())
        .action,
    ).toBe('ticket');
    expect(invalid.map((error) => error.problems)).toEqual([['dryRun: expected true or false, got "no"']]);
  });

  it('still returns settings when onInvalid fails, and reports again on the next read', async () => {
    ssmMock.on(GetParameterCommand).resolves(parameter(INVALID, 2));
    const { provider, invalid, advance } = setup({ failOnInvalid: true });

    const first = await provider.get();
    advance(60);
    await provider.get();

    expect(first).toEqual(DEFAULT_SETTINGS);
    expect(invalid).toHaveLength(2);
  });

  it('keeps the last valid settings when SSM cannot be read, reports it, and waits maxAge to retry', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolvesOnce(parameter(VALID, 1)).rejects(throttled());
    const { provider, readErrors, advance } = setup();
    const valid = await provider.get();

    // Act
    advance(60);
    const duringThrottling = await provider.get();
    const cached = await provider.get();

    // Assess
    expect(duringThrottling).toBe(valid);
    expect(cached).toBe(valid);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    expect(readErrors.map((error) => error.message)).toEqual([
      `cannot read settings parameter ${PARAMETER}: ThrottlingException: Rate exceeded`,
    ]);
  });

  it('rethrows a read error when no valid settings were ever read, and retries on the next call', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejectsOnce(throttled()).resolves(parameter(VALID, 1));
    const { provider } = setup();

    // Act
    const failed = provider.get();

    // Assess
    await expect(failed).rejects.toThrow(SettingsReadError);
    await expect(failed).rejects.toMatchObject({
      parameterName: PARAMETER,
      cause: { name: 'ThrottlingException' },
    });
    expect((await provider.get()).rules['s3-bucket-public-access'].mode).toBe('auto-fix');
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('takes a deleted parameter as all defaults again (deleting the document turns auto-fix off)', async () => {
    ssmMock.on(GetParameterCommand).resolvesOnce(parameter(VALID, 1)).rejects(notFound());
    const { provider, advance } = setup();

    await provider.get();
    advance(60);

    expect(await provider.get()).toBe(DEFAULT_SETTINGS);
  });

  it('refuses options that cannot work', () => {
    const ssm = new SSMClient({ region: 'us-east-1' });
    expect(() => new SettingsProvider({ ssm, parameterName: '' })).toThrow(
      'SettingsProvider needs a parameterName',
    );
    expect(() => new SettingsProvider({ ssm, parameterName: PARAMETER, maxAgeSeconds: -1 })).toThrow(
      'SettingsProvider maxAgeSeconds must be a number ≥ 0, got -1',
    );
  });
});
