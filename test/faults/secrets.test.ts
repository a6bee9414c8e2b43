/**
 * The leak check every fault and fuzz suite ends with: it must see a planted secret wherever a
 * log line, an error or a payload could carry it (else those suites' "no secret" assertions
 * could never fail).
 */
import { describe, expect, it } from 'vitest';
import { parseSettingsJson } from '../../shared/settings/schema';
import { CapturingLogger, errorTexts, LogSink, leakedSecrets, PLANTED_SECRETS } from '../support/log-capture';

describe('the planted-secret leak check', () => {
  it('finds a planted secret as is, JSON-escaped inside a log line, or URL-encoded', () => {
    const secret = PLANTED_SECRETS.assumedSessionToken;
    expect(leakedSecrets([`token=${secret}`])).toHaveLength(1);
    expect(leakedSecrets([JSON.stringify({ nested: { value: `"${secret}"` } })])).toHaveLength(1);
    expect(
      leakedSecrets([`https://x/?t=${encodeURIComponent(`${PLANTED_SECRETS.settingsToken}`)}`]),
    ).toHaveLength(1);
    expect(leakedSecrets(['nothing to see'])).toEqual([]);
  });

  it('sees what the Powertools logger prints: messages, attributes and serialized errors', () => {
    // Prepare
    const sink = new LogSink();
    const logger = new CapturingLogger(sink, { serviceName: 'leak-check' });

    // Act
    logger.error('failed', { error: new Error(`boom ${PLANTED_SECRETS.staticSecretAccessKey}`) });
    logger.info('attributes', { credentials: { secretAccessKey: PLANTED_SECRETS.assumedSecretAccessKey } });

    // Assess
    expect(leakedSecrets(sink.lines).map((leak) => leak.secret)).toEqual([
      PLANTED_SECRETS.staticSecretAccessKey.toLowerCase(),
      PLANTED_SECRETS.assumedSecretAccessKey.toLowerCase(),
    ]);
  });

  it('finds a secret in an error’s cause chain', () => {
    const error = new Error('outer', { cause: new Error(`inner ${PLANTED_SECRETS.secretsManagerValue}`) });
    expect(leakedSecrets(errorTexts(error)).length).toBeGreaterThan(0);
  });

  it('keeps a token pasted into an invalid settings document out of the error message (invalid JSON)', () => {
    // The JSON parser quotes the text around the error; that excerpt is dropped.
    let message = '';
    try {
      parseSettingsJson(
        `{"version":1,"tickets":{"jira":{"apiToken":${PLANTED_SECRETS.settingsToken}}}}`,
        'settings',
      );
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toBe("settings: invalid settings: (document): not valid JSON: Unexpected token 'e'");
    expect(leakedSecrets([message])).toEqual([]);
  });
});
