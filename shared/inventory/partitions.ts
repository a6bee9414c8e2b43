/**
 * The AWS partitions and the regions in each: the SDK's own partition table (the data behind
 * `partition()` of `@aws-sdk/core/client`), held here so that code which only needs a region's
 * partition (an ARN, offline scans, reports) does not load the SDK to get it. Loading
 * `@aws-sdk/core/client` costs an offline `endpoint-guard scan` about half of its run time.
 *
 * test/inventory/partitions.test.ts reads the installed SDK's table and fails when this one
 * differs, so an SDK upgrade that adds a partition or a region says so.
 */

export interface PartitionInfo {
  /** The partition (`arn:<name>:`). */
  readonly name: string;
  /** The SDK's `regionRegex`: names of regions of the partition. */
  readonly regionRegex: RegExp;
  /** Names the SDK lists explicitly (including its `*-global` pseudo-regions). */
  readonly regions: readonly string[];
}

/** In the SDK's order, which is the order in which region patterns are tried. */
export const PARTITIONS: readonly PartitionInfo[] = [
  {
    name: 'aws',
    regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    regions: [
      'af-south-1',
      'ap-east-1',
      'ap-east-2',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-south-1',
      'ap-south-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-southeast-3',
      'ap-southeast-4',
      'ap-southeast-5',
      'ap-southeast-6',
      'ap-southeast-7',
      'aws-global',
      'ca-central-1',
      'ca-west-1',
      'eu-central-1',
      'eu-central-2',
      'eu-north-1',
      'eu-south-1',
      'eu-south-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'il-central-1',
      'me-central-1',
      'me-south-1',
      'me-west-1',
      'mx-central-1',
      'sa-east-1',
      'sa-west-1',
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
    ],
  },
  { name: 'aws-cn', regionRegex: /^cn-\w+-\d+$/, regions: ['aws-cn-global', 'cn-north-1', 'cn-northwest-1'] },
  { name: 'aws-eusc', regionRegex: /^eusc-(de)-\w+-\d+$/, regions: ['eusc-de-east-1'] },
  {
    name: 'aws-iso',
    regionRegex: /^us-iso-\w+-\d+$/,
    regions: ['aws-iso-global', 'us-iso-east-1', 'us-iso-west-1'],
  },
  {
    name: 'aws-iso-b',
    regionRegex: /^us-isob-\w+-\d+$/,
    regions: ['aws-iso-b-global', 'us-isob-east-1', 'us-isob-west-1'],
  },
  { name: 'aws-iso-e', regionRegex: /^eu-isoe-\w+-\d+$/, regions: ['aws-iso-e-global', 'eu-isoe-west-1'] },
  {
    name: 'aws-iso-f',
    regionRegex: /^us-isof-\w+-\d+$/,
    regions: ['aws-iso-f-global', 'us-isof-east-1', 'us-isof-south-1'],
  },
  {
    name: 'aws-us-gov',
    regionRegex: /^us-gov-\w+-\d+$/,
    regions: ['aws-us-gov-global', 'us-gov-east-1', 'us-gov-west-1'],
  },
];

/**
 * The partition of a region, decided as the SDK decides it: a region it lists, then the first
 * partition whose pattern matches, else `aws`.
 *
 * @example
 * partitionName('eu-isoe-west-1'); // 'aws-iso-e'
 */
export function partitionName(region: string): string {
  const listed = PARTITIONS.find((partition) => partition.regions.includes(region));
  if (listed) return listed.name;
  return PARTITIONS.find((partition) => partition.regionRegex.test(region))?.name ?? 'aws';
}
