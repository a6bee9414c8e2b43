import type { ResourceType } from '../model';
import { partitionName } from './partitions';

/**
 * The AWS partition a region belongs to (the `arn:<partition>:` part), from the SDK's own
 * partition data (held in partitions.ts, so that this does not load the SDK): `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`,
 * `aws-iso-f`, `aws-eusc`, ... A region the SDK does not know is matched by its partition's
 * region pattern, and falls back to `aws`.
 *
 * @example
 * partitionOf('eu-isoe-west-1'); // 'aws-iso-e'
 */
export function partitionOf(region: string): string {
  return partitionName(region);
}

const EC2_ARN_KIND: Partial<Record<ResourceType, string>> = {
  'AWS::EC2::VPCEndpoint': 'vpc-endpoint',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::RouteTable': 'route-table',
  'AWS::EC2::VPC': 'vpc',
};

/**
 * The ARN of a resource, for items that do not carry one (BatchGet rows, live Describe output).
 *
 * @example
 * arnFor('AWS::EC2::Subnet', { region: 'us-east-1', accountId: '111122223333', resourceId: 'subnet-1' });
 * // 'arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1'
 */
export function arnFor(
  type: ResourceType,
  where: { readonly region: string; readonly accountId: string; readonly resourceId: string },
): string {
  const partition = partitionOf(where.region);
  const ec2Kind = EC2_ARN_KIND[type];
  if (ec2Kind)
    return `arn:${partition}:ec2:${where.region}:${where.accountId}:${ec2Kind}/${where.resourceId}`;
  if (type === 'AWS::S3::Bucket') return `arn:${partition}:s3:::${where.resourceId}`;
  return '';
}
