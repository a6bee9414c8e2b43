/**
 * The Security Hub sink end to end: FindingProcessor → SecurityHubSink → BatchImportFindings
 * (mocked client: the exact input is asserted), over the findings store on a DynamoDB-compatible
 * engine (dynalite). A member account's finding goes to the central account's hub; its life: a
 * repeat, a return to compliant, a regression, concurrent deliveries, throttling and refusals.
 */
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  SecurityHubClient,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import type { RemediationEvent } from '../../shared/remediation/ports';
import { FindingProcessor, type RemediationClients } from '../../shared/remediation/processor';
import {
  importFindings,
  SecurityHubBusyError,
  SecurityHubImportError,
  SecurityHubSink,
} from '../../shared/securityhub/sink';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings/schema';
import { FindingStore } from '../../shared/store/finding-store';
import { ACCOUNT, endpointFinding, OBSERVED_AT } from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const CENTRAL = '111122223333';
const HOME = 'us-east-1';
const HOUR = 3600_000;
const T0 = Date.parse(OBSERVED_AT);
const ID =
  'endpoint-guard/interface-endpoint-multi-az/arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1';

const client = new SecurityHubClient({
  region: HOME,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
});
const hubMock = mockClient(client);

let now: number;
let store: FindingStore;
let settings: Settings;
let sink: SecurityHubSink;
let processor: FindingProcessor;
let events: RemediationEvent[];
const clock = () => new Date(now);

/** The endpoint finding observed `hours` after T0, NON_COMPLIANT unless said otherwise. */
function observed(hours: number, status: Finding['status'] = 'NON_COMPLIANT'): Finding {
  const observedAt = new Date(T0 + hours * HOUR).toISOString();
  if (status === 'NON_COMPLIANT') return endpointFinding({ observedAt });
  return endpointFinding({
    observedAt,
    status,
    severity: 'INFORMATIONAL',
    remediation: null,
    reason: status === 'COMPLIANT' ? 'subnets in 2 AZs' : 'resource deleted',
  });
}

/** Processes a finding one second after its observation. */
function deliver(finding: Finding) {
  now = Date.parse(finding.observedAt) + 1000;
  return processor.process(finding);
}

/** The findings of every BatchImportFindings call so far. */
function imported(): AwsSecurityFinding[][] {
  return hubMock.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings ?? []);
}

function accepted() {
  hubMock.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
}

beforeEach(async () => {
  now = T0;
  hubMock.reset();
  accepted();
  events = [];
  settings = { ...DEFAULT_SETTINGS, securityHub: { enabled: true } };
  const tableName = await db.createTable();
  store = new FindingStore({ client: db.documentClient, tableName, now: clock });
  sink = new SecurityHubSink({ client, store, hubAccountId: CENTRAL, hubRegion: HOME, now: clock });
  processor = new FindingProcessor({
    store,
    settings: { get: async () => settings },
    clientsFor: async (accountId, region) => ({ accountId, region }) as unknown as RemediationClients,
    notifier: { notify: async () => undefined },
    tickets: {
      ensureTicket: async () => ({
        action: 'disabled',
        reference: '',
        created: false,
        why: 'no tickets here',
      }),
      resolveTicket: async () => undefined,
      noteOnTicket: async () => undefined,
    },
    events: { publish: async (event) => void events.push(event) },
    securityHub: sink,
    now: clock,
  });
});

describe('Security Hub sink', () => {
  it("imports a member account's finding into the central account's hub: the exact BatchImportFindings input", async () => {
    await deliver(observed(0));

    expect(hubMock.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input)).toEqual([
      {
        Findings: [
          {
            SchemaVersion: '2018-10-08',
            Id: ID,
            ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
            ProductName: 'endpoint-guard',
            CompanyName: 'endpoint-guard',
            GeneratorId: 'endpoint-guard/interface-endpoint-multi-az',
            AwsAccountId: CENTRAL,
            Types: ['Software and Configuration Checks/AWS Security Best Practices'],
            FirstObservedAt: OBSERVED_AT,
            LastObservedAt: OBSERVED_AT,
            CreatedAt: OBSERVED_AT,
            UpdatedAt: OBSERVED_AT,
            Severity: { Label: 'HIGH', Original: 'HIGH' },
            Title: 'Interface VPC endpoints are highly available',
            Description:
              'endpoint has subnets in 1 AZ (eu-west-1a); its VPC vpc-01 uses 2 AZs (eu-west-1a, eu-west-1b); ' +
              'missing eu-west-1b. Rule: An interface endpoint must have a subnet in every Availability Zone in ' +
              'which its VPC has subnets (and in at least two); otherwise an AZ outage cuts the workloads of the ' +
              'other AZs off the service.',
            Remediation: {
              Recommendation: {
                Text:
                  'endpoint-guard fix plan (ModifyVpcEndpoint): Add subnet-0b (eu-west-1b) to endpoint vpce-0a1. ' +
                  'Warnings: Adds 1 endpoint network interface: each added AZ is billed one more endpoint ENI-hour.',
                Url: 'https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html',
              },
            },
            ProductFields: {
              'endpoint-guard/RuleId': 'interface-endpoint-multi-az',
              'endpoint-guard/FindingId':
                'interface-endpoint-multi-az:arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1',
              'endpoint-guard/ResourceType': 'AWS::EC2::VPCEndpoint',
              'endpoint-guard/ResourceId': 'vpce-0a1',
              'endpoint-guard/ResourceAccountId': ACCOUNT,
              'endpoint-guard/ResourceRegion': 'eu-west-1',
              'endpoint-guard/Status': 'NON_COMPLIANT',
              'endpoint-guard/RemediationKind': 'fix',
            },
            Resources: [
              {
                Type: 'Other',
                Id: 'arn:aws:ec2:eu-west-1:222233334444:vpc-endpoint/vpce-0a1',
                Partition: 'aws',
                Region: 'eu-west-1',
                Details: {
                  Other: {
                    ResourceType: 'AWS::EC2::VPCEndpoint',
                    ResourceId: 'vpce-0a1',
                    AccountId: ACCOUNT,
                  },
                },
              },
            ],
            Compliance: {
              Status: 'FAILED',
              RelatedRequirements: [
                'NIST.800-53.r5 CP-6(2)',
                'NIST.800-53.r5 CP-10',
                'NIST.800-53.r5 SC-5(2)',
                'NIST.800-53.r5 SC-36',
                'NIST.800-53.r5 SI-13(5)',
              ],
            },
            Workflow: { Status: 'NEW' },
            RecordState: 'ACTIVE',
            FindingProviderFields: {
              Severity: { Label: 'HIGH', Original: 'HIGH' },
              Types: ['Software and Configuration Checks/AWS Security Best Practices'],
            },
          },
        ],
      },
    ]);
    // The decision went ahead as before (a ticket decision without a ticket sink notifies).
    expect(events.map((event) => event.outcome)).toEqual(['notified']);
  });

  it('imports nothing while the settings leave it off', async () => {
    settings = DEFAULT_SETTINGS;
    await deliver(observed(0));
    await deliver(observed(1, 'COMPLIANT'));
    expect(imported()).toEqual([]);
  });

  it('a repeat imports nothing until a day has passed, then refreshes the same finding', async () => {
    await deliver(observed(0));
    await deliver(observed(0)); // a redelivery
    await deliver(observed(2)); // the next sweep, same state
    expect(imported()).toHaveLength(1);

    await deliver(observed(25));
    const calls = imported();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.[0]).toMatchObject({
      Id: ID,
      CreatedAt: OBSERVED_AT,
      FirstObservedAt: OBSERVED_AT,
      UpdatedAt: new Date(T0 + 25 * HOUR).toISOString(),
      LastObservedAt: new Date(T0 + 25 * HOUR).toISOString(),
      RecordState: 'ACTIVE',
    });
  });

  it('a change of what the finding says is imported at once, in place', async () => {
    await deliver(observed(0));
    await deliver(
      endpointFinding({
        observedAt: new Date(T0 + HOUR).toISOString(),
        reason: 'endpoint has no subnet left',
      }),
    );
    const calls = imported();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.[0]?.Id).toBe(ID);
    expect(calls[1]?.[0]?.Description).toMatch(/^endpoint has no subnet left\. Rule: /);
  });

  it('a return to compliant archives it (PASSED, resolved); further compliant observations import nothing', async () => {
    await deliver(observed(0));
    await deliver(observed(3, 'COMPLIANT'));
    await deliver(observed(30, 'COMPLIANT'));

    const calls = imported();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([
      expect.objectContaining({
        Id: ID,
        ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
        AwsAccountId: CENTRAL,
        Compliance: expect.objectContaining({ Status: 'PASSED' }),
        RecordState: 'ARCHIVED',
        Workflow: { Status: 'RESOLVED' },
        Severity: { Label: 'INFORMATIONAL', Original: 'INFORMATIONAL' },
        CreatedAt: OBSERVED_AT,
        UpdatedAt: new Date(T0 + 3 * HOUR).toISOString(),
      }),
    ]);
  });

  it('a regression makes the same finding ACTIVE and FAILED again', async () => {
    await deliver(observed(0));
    await deliver(observed(3, 'COMPLIANT'));
    await deliver(observed(5));

    const calls = imported();
    expect(calls.map((call) => [call[0]?.Id, call[0]?.RecordState, call[0]?.Compliance?.Status])).toEqual([
      [ID, 'ACTIVE', 'FAILED'],
      [ID, 'ARCHIVED', 'PASSED'],
      [ID, 'ACTIVE', 'FAILED'],
    ]);
    expect(calls[2]?.[0]).toMatchObject({
      CreatedAt: OBSERVED_AT,
      UpdatedAt: new Date(T0 + 5 * HOUR).toISOString(),
    });
  });

  it('a deleted resource archives its finding as NOT_AVAILABLE', async () => {
    await deliver(observed(0));
    await deliver(observed(1, 'NOT_APPLICABLE'));
    expect(imported()[1]?.[0]).toMatchObject({
      Compliance: { Status: 'NOT_AVAILABLE' },
      RecordState: 'ARCHIVED',
    });
  });

  it('a resource that was never non-compliant is not imported', async () => {
    await deliver(observed(0, 'COMPLIANT'));
    await deliver(observed(1, 'NOT_APPLICABLE'));
    expect(imported()).toEqual([]);
  });

  it('ten concurrent deliveries of the same observation import it once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    hubMock.on(BatchImportFindingsCommand).callsFake(async () => {
      await gate;
      return { FailedCount: 0, SuccessCount: 1, FailedFindings: [] };
    });
    now = T0 + 1000;
    const finding = observed(0);
    const results = Array.from({ length: 10 }, () => sink.publish(finding, { settings }));
    // Let every delivery reach the claim before the import answers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const actions = (await Promise.all(results)).map((result) => result.action).sort();
    expect(imported()).toHaveLength(1);
    expect(actions.filter((action) => action === 'imported')).toHaveLength(1);
    expect(
      actions.filter((action) => action !== 'imported').every((a) => a === 'pending' || a === 'unchanged'),
    ).toBe(true);
  });

  it('a delivery of a different state during an import is retried after it, and then archives', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    hubMock.on(BatchImportFindingsCommand).callsFakeOnce(async () => {
      await gate;
      return { FailedCount: 0, SuccessCount: 1, FailedFindings: [] };
    });
    const failing = observed(0);
    await store.recordObservation(failing);
    now = T0 + 1000;
    const first = sink.publish(failing, { settings });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const compliant = observed(1, 'COMPLIANT');
    await expect(sink.publish(compliant, { settings })).rejects.toBeInstanceOf(SecurityHubBusyError);
    release();
    expect(await first).toMatchObject({ action: 'imported', recordState: 'ACTIVE' });

    accepted();
    await store.recordObservation(compliant);
    expect(await sink.publish(compliant, { settings })).toMatchObject({
      action: 'imported',
      recordState: 'ARCHIVED',
    });
    expect(imported().map((call) => call[0]?.RecordState)).toEqual(['ACTIVE', 'ARCHIVED']);
  });

  it('an observation older than the newest recorded is not imported', async () => {
    const newer = observed(2);
    await store.recordObservation(newer);
    expect(await sink.publish(observed(1), { settings })).toMatchObject({ action: 'superseded' });
    expect(imported()).toEqual([]);
  });

  it('throttling throws for a redelivery, which then imports', async () => {
    hubMock.on(BatchImportFindingsCommand).rejectsOnce(
      new SecurityHubServiceException({
        name: 'TooManyRequestsException',
        $fault: 'client',
        $metadata: { httpStatusCode: 429 },
        message: 'Rate exceeded',
      }),
    );
    await expect(deliver(observed(0))).rejects.toThrow('Rate exceeded');
    accepted();
    await deliver(observed(0));
    expect(imported()).toHaveLength(2);
  });

  it('a retryable FailedFindings code throws; the redelivery imports', async () => {
    hubMock.on(BatchImportFindingsCommand).resolvesOnce({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: ID, ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure' }],
    });
    await expect(deliver(observed(0))).rejects.toThrow(
      new SecurityHubImportError(
        `Security Hub did not import ${ID}: InternalFailure: Internal service failure`,
      ),
    );
    accepted();
    await deliver(observed(0));
    expect(imported()).toHaveLength(2);
  });

  it('a refused finding is reported, not retried forever, and tried again on the next observation', async () => {
    hubMock.on(BatchImportFindingsCommand).resolvesOnce({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [
        { Id: ID, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding does not adhere to ASFF' },
      ],
    });
    now = T0 + 1000;
    await store.recordObservation(observed(0));
    expect(await sink.publish(observed(0), { settings })).toEqual({
      action: 'failed',
      id: ID,
      recordState: 'ACTIVE',
      why: `Security Hub did not import ${ID}: InvalidInput: Finding does not adhere to ASFF`,
    });
    accepted();
    await deliver(observed(1));
    expect(imported()).toHaveLength(2);
  });

  it('Security Hub refusing the whole request (not enabled, access denied) fails the finding without throwing', async () => {
    hubMock.on(BatchImportFindingsCommand).rejects(
      new SecurityHubServiceException({
        name: 'InvalidAccessException',
        $fault: 'client',
        $metadata: { httpStatusCode: 401 },
        message: 'Account 111122223333 is not subscribed to AWS Security Hub',
      }),
    );
    const result = await deliver(observed(0));
    expect(result.outcome).toBe('notified');
    expect(await sink.publish(observed(0), { settings }).then((r) => [r.action, r.why])).toEqual([
      'failed',
      `Security Hub did not import ${ID}: InvalidAccessException: InvalidAccessException: Account 111122223333 is not subscribed to AWS Security Hub`,
    ]);
  });
});

describe('importFindings', () => {
  it('sends at most 100 findings per request and sorts out partial failures', async () => {
    const documents = Array.from({ length: 150 }, (_, index) => ({ Id: `f-${index}` }) as AwsSecurityFinding);
    hubMock
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 99,
        FailedFindings: [{ Id: 'f-7', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }],
      })
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 49,
        FailedFindings: [{ Id: 'f-120', ErrorCode: 'ConcurrentUpdateError', ErrorMessage: 'busy' }],
      });
    const result = await importFindings(client, documents);
    expect(imported().map((call) => call.length)).toEqual([100, 50]);
    expect(result.imported).toHaveLength(148);
    expect(result.failed).toEqual([
      { id: 'f-7', code: 'InvalidInput', message: 'bad', retryable: false },
      { id: 'f-120', code: 'ConcurrentUpdateError', message: 'busy', retryable: true },
    ]);
  });
});
