/**
 * Small edges of the trust boundary (SECURITY.md): our-own-caller filter, the CloudTrail record's
 * account, and what HTTP errors and retry warnings say about where a call went.
 */
import { describe, expect, it } from 'vitest';
import { parseCloudTrailEvent } from '../../shared/events/cloudtrail';
import { planCloudTrailEvaluation } from '../../shared/events/cloudtrail-map';
import { InvalidEventError } from '../../shared/events/errors';
import { HttpError } from '../../shared/http/errors';
import { HttpClient } from '../../shared/http/http-client';
import { eventFixture } from '../events/support';
import { useHttpServer } from '../http/server';

const server = useHttpServer();
const CENTRAL = '111122223333';

describe('our own caller', () => {
  it('is not whoever names a role endpoint-guard-... in another account: their change is evaluated', () => {
    // Prepare: the fixture's call by remediate, re-enacted by a look-alike role in a member account.
    const event = eventFixture('cloudtrail/ignored/put-bucket-public-access-block-by-function.json');
    const impostor =
      'arn:aws:sts::444455556666:assumed-role/endpoint-guard-remediate-role/endpoint-guard-remediate';
    const detail = event.detail as {
      userIdentity: { arn: string; sessionContext: { sessionIssuer: { arn: string } } };
    };
    const genuine = planCloudTrailEvaluation(parseCloudTrailEvent(structuredClone(event)), {
      centralAccountId: CENTRAL,
    });
    detail.userIdentity.arn = impostor;
    detail.userIdentity.sessionContext.sessionIssuer.arn =
      'arn:aws:iam::444455556666:role/endpoint-guard-remediate-role';

    // Act
    const plan = planCloudTrailEvaluation(parseCloudTrailEvent(event), { centralAccountId: CENTRAL });

    // Assess: the genuine call is ours; the impostor's is not ignored.
    expect(genuine).toMatchObject({ kind: 'ignore', reason: 'self' });
    expect(plan.kind).toBe('evaluate');
  });
});

describe('the CloudTrail record of another account', () => {
  it('is rejected before any AWS call when recipientAccountId is not the envelope account', () => {
    // Prepare: a record forwarded from 111122223333 that claims to be about 999988887777.
    const event = eventFixture('cloudtrail/create-route.json');
    (event.detail as Record<string, unknown>).recipientAccountId = '999988887777';

    // Act
    let error: unknown;
    try {
      parseCloudTrailEvent(event);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(
      `detail.recipientAccountId: is not the envelope's account ${String(event.account)}: a CloudTrail record is evaluated only in the account it came from`,
    );
  });
});

describe('HTTP errors and retry warnings', () => {
  it('name the host, never the path or query, where a Slack-style webhook keeps its secret', async () => {
    // Prepare
    const secretPath = '/services/T0000SECRET/B0000SECRET/XXXXslackSecretXXXX';
    const secretQuery = 'sig=teams-signature-secret';
    server.reply({ status: 503 }, { status: 400, body: { message: 'bad payload' } });
    const warnings: string[] = [];
    const http = new HttpClient({
      service: 'webhook',
      maxAttempts: 2,
      sleep: async () => undefined,
      logger: { warn: (message, attributes) => warnings.push(`${message} ${JSON.stringify(attributes)}`) },
    });

    // Act
    let error: unknown;
    try {
      await http.request({
        method: 'POST',
        url: `${server.url}${secretPath}?${secretQuery}`,
        json: {},
        idempotent: true,
      });
    } catch (caught) {
      error = caught;
    }

    // Assess: both attempts reached the server; neither the warning nor the error says where beyond the host.
    const host = new URL(server.url).host;
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe(
      `webhook POST ${host}: 400 Bad Request: bad payload (after 2 attempts)`,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`"host":"${host}"`);
    const said = `${warnings.join('\n')}\n${JSON.stringify(error)}\n${(error as Error).message}`;
    expect(said).not.toContain('SECRET');
    expect(said).not.toContain(secretQuery);
  });
});
