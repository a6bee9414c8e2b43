import type { ResourceType } from '../model';

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
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
