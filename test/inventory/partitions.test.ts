/**
 * endpoint-guard's partition table is the installed SDK's: same partitions, same patterns, same
 * regions, and the same answer for every region the SDK lists and for names it does not.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { partition } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { PARTITIONS, partitionName } from '../../shared/inventory/partitions';

interface SdkPartitions {
  partitions: { id: string; regionRegex: string; regions: Record<string, unknown> }[];
}

/** The partition data compiled into @aws-sdk/core (the object `partition()` reads). */
function sdkPartitions(): SdkPartitions {
  const file = createRequire(import.meta.url).resolve('@aws-sdk/core/client');
  const source = readFileSync(file, 'utf8');
  const marker = 'const partitionsInfo = ';
  const start = source.indexOf(marker);
  expect(start, `no partition data in ${file}: read how this SDK version holds it`).toBeGreaterThan(0);
  const end = source.indexOf('\n};', start) + 2;
  return JSON.parse(source.slice(start + marker.length, end)) as SdkPartitions;
}

describe('the partition table', () => {
  const sdk = sdkPartitions();

  it('has the SDK partitions, patterns and regions, in its order', () => {
    expect(
      PARTITIONS.map((p) => ({
        name: p.name,
        regionRegex: p.regionRegex.source.replaceAll('-', '\\-'),
        regions: p.regions,
      })),
    ).toEqual(
      sdk.partitions.map((p) => ({
        name: p.id,
        regionRegex: p.regionRegex,
        regions: Object.keys(p.regions),
      })),
    );
  });

  it('gives every region the partition the SDK gives it', () => {
    const names = [
      ...sdk.partitions.flatMap((p) => Object.keys(p.regions)),
      'us-east-9',
      'eu-isoe-north-7',
      'us-isof-west-3',
      'eusc-de-west-2',
      'cn-south-5',
      'xx-unknown-1',
      'mars',
    ];
    for (const region of names)
      expect([region, partitionName(region)]).toEqual([region, partition(region).name]);
  });
});
