/**
 * The AWS adapters a detector needs, built from the environment on first use: importing a
 * handler creates no client, and tests hand `createHandler` their own.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { type AccountClients, AwsClientFactory, RETRY_CONFIG } from '../../shared/aws/clients';
import { FindingPublisher } from '../../shared/aws/finding-publisher';
import type { Finding } from '../../shared/findings/finding';
import type { DetectorEnvironment } from './environment';

/** What the detectors call AWS through. */
export interface DetectorAdapters {
  /** SDK clients of an account and region; another account is entered through the member role. */
  readonly clients: { forAccount(accountId: string, region: string): Promise<AccountClients> };
  readonly publisher: { publish(findings: readonly Finding[]): Promise<unknown> };
}

/**
 * The function's own account, from its ARN (`arn:aws:lambda:us-east-1:111122223333:function:x`).
 * Knowing it saves an STS GetCallerIdentity call, and an event from it assumes no role.
 *
 * @example
 * ownAccountOf({ invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:f' }); // '111122223333'
 */
export function ownAccountOf(context: Pick<Context, 'invokedFunctionArn'> | undefined): string | undefined {
  const account = context?.invokedFunctionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * Returns a function that builds the adapters once, on the first invocation, from the
 * environment and the Lambda context, and then hands out the same ones (clients and assumed
 * credentials are reused across warm invocations).
 *
 * @example
 * const adapters = lazyDetectorAdapters(() => readDetectorEnvironment(process.env));
 * const { clients, publisher } = adapters(context);
 */
export function lazyDetectorAdapters(
  environment: () => DetectorEnvironment,
): (context: Pick<Context, 'invokedFunctionArn'> | undefined) => DetectorAdapters {
  let built: DetectorAdapters | undefined;
  return (context) => {
    if (built === undefined) {
      const { eventBusName, memberRoleName } = environment();
      const ownAccountId = ownAccountOf(context);
      built = {
        clients: new AwsClientFactory({
          memberRoleName,
          ...(ownAccountId === undefined ? {} : { ownAccountId }),
          roleSessionName: 'endpoint-guard-detector',
        }),
        publisher: new FindingPublisher({
          eventBridge: new EventBridgeClient({ ...RETRY_CONFIG }),
          eventBusName,
        }),
      };
    }
    return built;
  };
}
