/** The partition of a region, from the SDK's partition data, including ISO and sovereign regions. */
import { describe, expect, it } from 'vitest';
import { arnFor, partitionOf } from '../../shared/inventory/arn';

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('builds ARNs in the region’s partition', () => {
    expect(
      arnFor('AWS::EC2::Subnet', {
        region: 'eu-isoe-west-1',
        accountId: '111122223333',
        resourceId: 'subnet-1',
      }),
    ).toBe('arn:aws-iso-e:ec2:eu-isoe-west-1:111122223333:subnet/subnet-1');
    expect(
      arnFor('AWS::S3::Bucket', { region: 'eusc-de-east-1', accountId: '111122223333', resourceId: 'data' }),
    ).toBe('arn:aws-eusc:s3:::data');
  });
});
