import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAuditId, newAuditId } from '../../shared/store/audit-id';
import { AlreadyRolledBackError, AuditNotFoundError } from '../../shared/store/errors';
import { FindingStore, fixClaimKey } from '../../shared/store/finding-store';
import type { NewAuditRecord } from '../../shared/store/records';
import {
  ACCOUNT,
  ADD_ROUTE_TABLE,
  ADD_SUBNET,
  bucketFinding,
  endpointFinding,
  OBSERVED_AT,
} from '../remediation/fixtures';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();

/** A clock the test moves by hand. */
function clock(start = '2025-06-01T12:30:00.000Z') {
  let now = new Date(start);
  return {
    now: () => now,
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

let tableName: string;
let time: ReturnType<typeof clock>;
let store: FindingStore;

beforeEach(async () => {
  tableName = await db.createTable();
  time = clock();
  store = new FindingStore({ client: db.documentClient, tableName, now: time.now });
});

function auditInput(overrides: Partial<NewAuditRecord> = {}): NewAuditRecord {
  const finding = endpointFinding();
  return {
    kind: 'fix',
    findingId: finding.findingId,
    ruleId: finding.ruleId,
    resourceType: finding.resourceType,
    resourceId: finding.resourceId,
    resourceArn: finding.resourceArn,
    accountId: finding.accountId,
    region: finding.region,
    actor: 'endpoint-guard',
    outcome: 'applied',
    reason: 'added subnet-0b to vpce-0a1; verified',
    decision: { action: 'fix', why: 'auto-fix', mode: 'auto-fix', dryRun: false },
    plan: finding.remediation,
    before: { status: 'NON_COMPLIANT' },
    after: { status: 'COMPLIANT' },
    changes: [{ kind: 'subnets-added', vpcEndpointId: 'vpce-0a1', subnetIds: ['subnet-0b'] }],
    observedAt: finding.observedAt,
    ...overrides,
  };
}

describe('FindingStore: current state', () => {
  it('records the first observation with firstSeen = lastSeen and no attempts', async () => {
    // Prepare
    const finding = endpointFinding();

    // Act
    const result = await store.recordObservation(finding);

    // Assess
    expect(result.accepted).toBe(true);
    expect(result.state).toEqual({
      findingId: finding.findingId,
      ruleId: 'interface-endpoint-multi-az',
      resourceType: 'AWS::EC2::VPCEndpoint',
      resourceId: 'vpce-0a1',
      resourceArn: finding.resourceArn,
      accountId: ACCOUNT,
      region: 'eu-west-1',
      status: 'NON_COMPLIANT',
      severity: 'HIGH',
      reason: finding.reason,
      firstSeen: '2025-06-01T12:30:00.000Z',
      lastSeen: '2025-06-01T12:30:00.000Z',
      lastObservedAt: OBSERVED_AT,
      remediationAttempts: 0,
    });
  });

  it('moves status and lastSeen on a newer observation, keeping firstSeen', async () => {
    // Prepare
    await store.recordObservation(endpointFinding());
    time.set('2025-06-01T13:00:00.000Z');

    // Act
    const result = await store.recordObservation(
      endpointFinding({
        status: 'COMPLIANT',
        severity: 'INFORMATIONAL',
        remediation: null,
        observedAt: '2025-06-01T12:55:00Z',
      }),
    );

    // Assess
    expect(result.accepted).toBe(true);
    expect(result.state).toMatchObject({
      status: 'COMPLIANT',
      severity: 'INFORMATIONAL',
      firstSeen: '2025-06-01T12:30:00.000Z',
      lastSeen: '2025-06-01T13:00:00.000Z',
      lastObservedAt: '2025-06-01T12:55:00.000Z',
    });
  });

  it('ignores an observation older than the one recorded, changing nothing', async () => {
    // Prepare
    await store.recordObservation(
      endpointFinding({
        status: 'COMPLIANT',
        severity: 'INFORMATIONAL',
        remediation: null,
        observedAt: '2025-06-01T12:10:00Z',
      }),
    );
    time.set('2025-06-01T13:00:00.000Z');

    // Act: the NON_COMPLIANT observation of 12:00 arrives late
    const result = await store.recordObservation(endpointFinding({ observedAt: '2025-06-01T12:00:00Z' }));

    // Assess
    expect(result.accepted).toBe(false);
    expect(result.state).toMatchObject({
      status: 'COMPLIANT',
      lastObservedAt: '2025-06-01T12:10:00.000Z',
      lastSeen: '2025-06-01T12:30:00.000Z',
    });
    expect((await store.getState(endpointFinding().findingId))?.status).toBe('COMPLIANT');
  });

  it('compares observation times as instants, whatever their offset', async () => {
    // Prepare: 14:05+02:00 is 12:05Z, later than 12:00Z
    await store.recordObservation(endpointFinding({ observedAt: '2025-06-01T12:00:00Z' }));

    // Act
    const result = await store.recordObservation(
      endpointFinding({ observedAt: '2025-06-01T14:05:00+02:00' }),
    );

    // Assess
    expect(result.accepted).toBe(true);
    expect(result.state.lastObservedAt).toBe('2025-06-01T12:05:00.000Z');
  });

  it('accepts a duplicate observation of the same instant', async () => {
    // Prepare
    await store.recordObservation(endpointFinding());

    // Act
    const result = await store.recordObservation(endpointFinding());

    // Assess
    expect(result.accepted).toBe(true);
  });

  it('counts fix attempts and remembers the last fix outcome until the finding is compliant again', async () => {
    // Prepare
    const finding = endpointFinding();
    await store.recordObservation(finding);

    // Act
    await store.recordAction(finding.findingId, {
      action: 'fix',
      outcome: 'failed',
      auditId: 'A1',
      fixOutcome: 'failed',
    });
    await store.recordAction(finding.findingId, { action: 'ticket', outcome: 'ticketed' });
    const afterFix = await store.getState(finding.findingId);
    await store.recordObservation(
      endpointFinding({
        status: 'COMPLIANT',
        severity: 'INFORMATIONAL',
        remediation: null,
        observedAt: '2025-06-01T12:20:00Z',
      }),
    );
    const afterCompliant = await store.getState(finding.findingId);

    // Assess
    expect(afterFix).toMatchObject({
      remediationAttempts: 1,
      lastFixOutcome: 'failed',
      lastFixAt: '2025-06-01T12:30:00.000Z',
      lastAction: 'ticket',
      lastOutcome: 'ticketed',
      lastAuditId: 'A1',
    });
    expect(afterCompliant?.lastFixOutcome).toBeUndefined();
    expect(afterCompliant?.remediationAttempts).toBe(1);
  });

  it('records nothing for an action on a finding it never recorded', async () => {
    // Act
    const recorded = await store.recordAction('nope', {
      action: 'fix',
      outcome: 'applied',
      fixOutcome: 'applied',
    });

    // Assess
    expect(recorded).toBe(false);
    expect(await store.getState('nope')).toBeUndefined();
  });

  it('stores the ticket reference on the state', async () => {
    // Prepare
    const finding = bucketFinding(null);
    await store.recordObservation(finding);

    // Act
    await store.setTicketReference(finding.findingId, 'OPS-42');

    // Assess
    expect((await store.getState(finding.findingId))?.ticketReference).toBe('OPS-42');
  });

  it('keys the state item FINDING#<findingId> / STATE with an expiresAt in epoch seconds', async () => {
    // Prepare
    const finding = endpointFinding();

    // Act
    await store.recordObservation(finding);

    // Assess
    const raw = await db.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: `FINDING#${finding.findingId}`, sk: 'STATE' } }),
    );
    expect(raw.Item?.expiresAt).toBe(Date.parse('2025-06-01T12:30:00Z') / 1000 + 90 * 86400);
  });
});

describe('FindingStore: audit records', () => {
  it('writes a record retrievable by its id, with a sortable ULID id', async () => {
    // Act
    const record = await store.putAudit(auditInput());

    // Assess
    expect(isAuditId(record.auditId)).toBe(true);
    expect(record.createdAt).toBe('2025-06-01T12:30:00.000Z');
    expect(await store.getAudit(record.auditId)).toEqual(record);
  });

  it('lists the audit records of a finding, newest first', async () => {
    // Prepare
    const first = await store.putAudit(auditInput({ kind: 'notify', outcome: 'notified', changes: [] }));
    time.set('2025-06-01T12:31:00.000Z');
    const second = await store.putAudit(auditInput());

    // Act
    const listing = await store.listAudits(endpointFinding().findingId);

    // Assess
    expect(listing.map((entry) => [entry.auditId, entry.kind, entry.outcome])).toEqual([
      [second.auditId, 'fix', 'applied'],
      [first.auditId, 'notify', 'notified'],
    ]);
  });

  it('throws AuditNotFoundError for an unknown id', async () => {
    await expect(store.getAudit('01JX0000000000000000000000')).rejects.toThrow(AuditNotFoundError);
  });

  it('marks an applied fix rolled back once; a second mark fails', async () => {
    // Prepare
    const record = await store.putAudit(auditInput());

    // Act
    await store.markRolledBack(record.auditId, 'ROLLBACK1');
    const second = store.markRolledBack(record.auditId, 'ROLLBACK2');

    // Assess
    await expect(second).rejects.toThrow(AlreadyRolledBackError);
    expect(await store.getAudit(record.auditId)).toMatchObject({
      rolledBackBy: 'ROLLBACK1',
      rolledBackAt: '2025-06-01T12:30:00.000Z',
    });
  });

  it('marks a failed fix that changed something rolled back', async () => {
    // Prepare
    const record = await store.putAudit(auditInput({ outcome: 'failed' }));

    // Act
    await store.markRolledBack(record.auditId, 'ROLLBACK1');

    // Assess
    expect((await store.getAudit(record.auditId)).rolledBackBy).toBe('ROLLBACK1');
  });

  it('refuses to mark a skipped fix rolled back', async () => {
    // Prepare
    const record = await store.putAudit(auditInput({ outcome: 'skipped', changes: [] }));

    // Act / Assess
    await expect(store.markRolledBack(record.auditId, 'ROLLBACK1')).rejects.toThrow(AlreadyRolledBackError);
  });
});

describe('FindingStore: fix-rate counter', () => {
  it('never goes past the cap with 20 concurrent increments', async () => {
    // Act
    const slots = await Promise.all(Array.from({ length: 20 }, () => store.takeFixSlot(ACCOUNT, 5)));

    // Assess
    expect(slots.filter((slot) => slot.granted)).toHaveLength(5);
    expect(slots.filter((slot) => !slot.granted).every((slot) => slot.count === 5)).toBe(true);
    expect(await store.fixesThisHour(ACCOUNT)).toBe(5);
    const raw = await db.documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: `RATE#${ACCOUNT}`, sk: '2025-06-01T12' } }),
    );
    expect(raw.Item).toEqual({
      pk: `RATE#${ACCOUNT}`,
      sk: '2025-06-01T12',
      count: 5,
      expiresAt: Date.parse('2025-06-01T16:00:00Z') / 1000,
    });
  });

  it('starts a new count in a new hour and counts per account', async () => {
    // Prepare
    await store.takeFixSlot(ACCOUNT, 1);

    // Act
    const sameHour = await store.takeFixSlot(ACCOUNT, 1);
    const otherAccount = await store.takeFixSlot('999988887777', 1);
    time.set('2025-06-01T13:00:00.000Z');
    const nextHour = await store.takeFixSlot(ACCOUNT, 1);

    // Assess
    expect(sameHour).toEqual({ granted: false, count: 1 });
    expect(otherAccount).toEqual({ granted: true, count: 1 });
    expect(nextHour).toEqual({ granted: true, count: 1 });
  });

  it('grants nothing with a cap of 0', async () => {
    expect(await store.takeFixSlot(ACCOUNT, 0)).toEqual({ granted: false, count: 0 });
  });
});

describe('FindingStore: claims', () => {
  it('gives exactly one of 10 concurrent claims of one finding and plan', async () => {
    // Prepare
    const finding = endpointFinding();

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.claimFix(finding, [ADD_SUBNET])),
    );

    // Assess
    const winners = results.flatMap((result) => (result.claimed ? [result.claim] : []));
    expect(winners).toHaveLength(1);
    const losers = results.flatMap((result) => (result.claimed ? [] : [result.current]));
    expect(losers).toHaveLength(9);
    expect(losers.every((current) => current?.token === winners[0]?.token)).toBe(true);
  });

  it('keys a fix claim by finding and plan: another plan of the same finding is a new claim', async () => {
    // Prepare
    const finding = endpointFinding();
    await store.claimFix(finding, [ADD_SUBNET]);

    // Act
    const other = await store.claimFix(finding, [ADD_ROUTE_TABLE]);

    // Assess
    expect(other.claimed).toBe(true);
    expect(fixClaimKey(finding.findingId, [ADD_SUBNET])).not.toBe(
      fixClaimKey(finding.findingId, [ADD_ROUTE_TABLE]),
    );
  });

  it('lets an expired claim be taken over, even before DynamoDB deletes it', async () => {
    // Prepare
    const finding = endpointFinding();
    await store.claimFix(finding, [ADD_SUBNET]);
    time.set('2025-06-01T13:30:01.000Z');

    // Act
    const later = await store.claimFix(finding, [ADD_SUBNET]);

    // Assess
    expect(later.claimed).toBe(true);
  });

  it('frees a released claim, but only for its holder', async () => {
    // Prepare
    const finding = endpointFinding();
    const first = await store.claimFix(finding, [ADD_SUBNET]);
    if (!first.claimed) throw new Error('expected the first claim');

    // Act
    await store.releaseClaim({ ...first.claim, token: 'someone-else' });
    const whileHeld = await store.claimFix(finding, [ADD_SUBNET]);
    await store.releaseClaim(first.claim);
    const afterRelease = await store.claimFix(finding, [ADD_SUBNET]);

    // Assess
    expect(whileHeld.claimed).toBe(false);
    expect(afterRelease.claimed).toBe(true);
  });

  it('shows losers the result recorded on the claim', async () => {
    // Prepare
    const finding = endpointFinding();
    const first = await store.claimFix(finding, [ADD_SUBNET]);
    if (!first.claimed) throw new Error('expected the first claim');
    await store.completeClaim(first.claim, { auditId: 'AUDIT1', outcome: 'applied' });

    // Act
    const second = await store.claimFix(finding, [ADD_SUBNET]);

    // Assess
    expect(second).toEqual({
      claimed: false,
      current: { ...first.claim, auditId: 'AUDIT1', outcome: 'applied' },
    });
  });

  it('gives exactly one of 10 concurrent ticket claims of one finding', async () => {
    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => store.claimTicket('finding-1')));

    // Assess
    expect(results.filter((result) => result.claimed)).toHaveLength(1);
  });
});

describe('audit ids', () => {
  it('sort by creation time', () => {
    // Prepare
    const zeros = () => new Uint8Array(10);
    const ones = () => new Uint8Array(10).fill(255);

    // Act
    const early = newAuditId(new Date('2025-01-01T00:00:00.000Z'), ones);
    const late = newAuditId(new Date('2025-01-01T00:00:00.001Z'), zeros);

    // Assess
    expect(early < late).toBe(true);
    expect(early).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(late.slice(10)).toBe('0000000000000000');
    expect(early.slice(10)).toBe('ZZZZZZZZZZZZZZZZ');
  });
});
