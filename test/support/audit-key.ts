/**
 * A KMS HMAC key for tests: `GenerateMac` and `VerifyMac` on a mocked KMSClient, computed with a
 * real HMAC-SHA256 over a local key, so signatures are as real as KMS's and a forged or altered
 * record really fails. `VerifyMac` answers a wrong MAC with `KMSInvalidMacException`, as KMS does.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsAuditSigner, KmsAuditVerifier } from '../../shared/store/audit-signature';

export const AUDIT_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/**
 * @example
 * const key = fakeAuditKey();
 * const store = new FindingStore({ client, tableName, signer: key.signer });
 * new Rollbacker({ store, verifier: key.verifier, clientsFor });
 */
export function fakeAuditKey() {
  const secret = randomBytes(32);
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(kms);
  const mac = (message: Uint8Array) => new Uint8Array(createHmac('sha256', secret).update(message).digest());
  mock.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
    Mac: mac(input.Message),
    MacAlgorithm: 'HMAC_SHA_256',
    KeyId: AUDIT_KEY_ARN,
  }));
  mock.on(VerifyMacCommand).callsFake((input: { Message: Uint8Array; Mac: Uint8Array }) => {
    const expected = mac(input.Message);
    if (input.Mac.length !== expected.length || !timingSafeEqual(input.Mac, expected)) {
      throw new KMSInvalidMacException({ message: 'The MAC is not valid', $metadata: {} });
    }
    return { MacValid: true, MacAlgorithm: 'HMAC_SHA_256', KeyId: AUDIT_KEY_ARN };
  });
  return {
    mock,
    signer: new KmsAuditSigner({ kms, keyId: AUDIT_KEY_ARN }),
    verifier: new KmsAuditVerifier({ kms, keyId: AUDIT_KEY_ARN }),
  };
}
