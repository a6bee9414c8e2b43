/**
 * The pure parts of the sweep: the advanced queries, the shard plan, the schedule's input, the
 * change decision, and the adaptation of query rows.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/findings/finding';
import { InvalidSweepInputError } from '../../shared/sweep/errors';
import { parseSweepInput } from '../../shared/sweep/input';
import {
  chunkIds,
  MAX_EXPRESSION_LENGTH,
  planShards,
  shardExpression,
  vpcContextExpression,
} from '../../shared/sweep/query';
import { changeOf, normalizeRows } from '../../shared/sweep/shard';
import { subnetRow } from './support';

describe('planShards', () => {
  it('packs accounts in id order up to maxItems, an oversized account alone', () => {
    // Prepare
    const counts = [
      { accountId: '333333333333', items: 40 },
      { accountId: '111111111111', items: 30 },
      { accountId: '222222222222', items: 150 },
      { accountId: '444444444444', items: 50 },
    ];

    // Act
    const shards = planShards(counts, { maxItems: 100 });

    // Assess
    expect(shards).toEqual([['111111111111'], ['222222222222'], ['333333333333', '444444444444']]);
  });

  it('keeps every shard query within the 4,096-character expression limit', () => {
    // Prepare: 1,000 small accounts.
    const counts = Array.from({ length: 1000 }, (_, i) => ({
      accountId: String(100000000000 + i),
      items: 1,
    }));

    // Act
    const shards = planShards(counts);

    // Assess
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.flat()).toHaveLength(1000);
    for (const shard of shards)
      expect(shardExpression(shard).length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    const first = shards[0] ?? [];
    expect(shardExpression([...first, '199999999999']).length).toBeGreaterThan(MAX_EXPRESSION_LENGTH);
  });
});

describe('queries', () => {
  it('refuses a value that is not a plain id, rather than quoting it into SQL', () => {
    // Act / Assess
    expect(() => shardExpression(["1111' OR '1'='1"])).toThrow("not a plain id or type: \"1111' OR '1'='1\"");
  });

  it('splits VPC ids into context queries that each fit the limit', () => {
    // Prepare
    const vpcIds = Array.from({ length: 400 }, (_, i) => `vpc-0${String(i).padStart(16, '0')}`);

    // Act
    const chunks = chunkIds(vpcIds, vpcContextExpression);

    // Assess
    expect(chunks.flat()).toEqual(vpcIds);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(vpcContextExpression(chunk).length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
  });
});

describe('parseSweepInput', () => {
  it('reads the schedule payload and defaults what it leaves out', () => {
    expect(parseSweepInput({ minIntervalMinutes: 360 })).toEqual({ minIntervalMinutes: 360, force: false });
    expect(parseSweepInput({ 'detail-type': 'Scheduled Event', detail: {} })).toEqual({
      minIntervalMinutes: 60,
      force: false,
    });
    expect(parseSweepInput(undefined)).toEqual({ minIntervalMinutes: 60, force: false });
  });

  it('names the field it refuses', () => {
    expect(() => parseSweepInput({ minIntervalMinutes: -5 })).toThrow(InvalidSweepInputError);
    expect(() => parseSweepInput({ minIntervalMinutes: -5 })).toThrow(
      'sweep input: minIntervalMinutes must be a number of minutes from 0 to 525600, got -5',
    );
    // Finite, but Infinity once in milliseconds (found by test/fuzz/sweep.fuzz.test.ts).
    expect(() => parseSweepInput({ minIntervalMinutes: Number.MAX_VALUE })).toThrow(
      'sweep input: minIntervalMinutes must be a number of minutes from 0 to 525600, got 1.7976931348623157e+308',
    );
    expect(() => parseSweepInput({ force: 'yes' })).toThrow(
      'sweep input: force must be true or false, got "yes"',
    );
    expect(() => parseSweepInput('run')).toThrow('sweep input: the input must be a JSON object, got string');
  });
});

describe('changeOf', () => {
  const finding = (status: Finding['status'], severity: Finding['severity'], observedAt: string) =>
    ({ status, severity, observedAt }) as Finding;

  it('publishes a finding the store never recorded only when it is NON_COMPLIANT', () => {
    expect(changeOf(finding('NON_COMPLIANT', 'HIGH', '2025-06-01T10:00:00.000Z'), undefined)).toBe('new');
    expect(changeOf(finding('COMPLIANT', 'INFORMATIONAL', '2025-06-01T10:00:00.000Z'), undefined)).toBe(
      'unchanged',
    );
  });

  it('publishes a change of status or severity only when observed after the recorded observation', () => {
    const previous = {
      status: 'NON_COMPLIANT',
      severity: 'MEDIUM',
      lastObservedAt: '2025-06-01T10:00:00.000Z',
    } as const;
    expect(changeOf(finding('NON_COMPLIANT', 'MEDIUM', '2025-06-01T11:00:00.000Z'), previous)).toBe(
      'unchanged',
    );
    expect(changeOf(finding('NON_COMPLIANT', 'CRITICAL', '2025-06-01T11:00:00.000Z'), previous)).toBe(
      'changed',
    );
    expect(changeOf(finding('COMPLIANT', 'INFORMATIONAL', '2025-06-01T11:00:00.000Z'), previous)).toBe(
      'changed',
    );
    expect(changeOf(finding('COMPLIANT', 'INFORMATIONAL', '2025-06-01T10:00:00.000Z'), previous)).toBe(
      'stale',
    );
  });
});

describe('query rows', () => {
  it('reads a subnet whose state is spelled {value}, as advanced queries spell it', () => {
    // Prepare
    const row = subnetRow('111111111111', 'vpc-a', 'subnet-a1', 'eu-west-1a');

    // Act
    const { resources, skipped } = normalizeRows([row], 'shard 1/1');

    // Assess
    expect(skipped).toEqual([]);
    expect(resources[0]).toMatchObject({
      resourceId: 'subnet-a1',
      availabilityZone: 'eu-west-1a',
      state: 'available',
    });
  });

  it('skips a malformed row, naming it, and keeps the others', () => {
    // Prepare
    const good = subnetRow('111111111111', 'vpc-a', 'subnet-a1', 'eu-west-1a');
    const bad = { resourceType: 'AWS::EC2::Subnet', resourceId: 'subnet-x', accountId: '111111111111' };

    // Act
    const { resources, skipped } = normalizeRows([good, bad], 'shard 1/1');

    // Assess
    expect(resources.map((resource) => resource.resourceId)).toEqual(['subnet-a1']);
    expect(skipped).toEqual([
      {
        location: 'shard 1/1 row 1',
        problem: 'shard 1/1 row 1: AWS::EC2::Subnet subnet-x: missing awsRegion',
      },
    ]);
  });
});
