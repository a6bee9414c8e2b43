/**
 * AWS region names in events. A region read from an event becomes an SDK client's region (an
 * endpoint host name) and a Finding's `region`, which the Finding schema requires to look like
 * `us-east-1`: an event naming anything else is invalid input, refused before any AWS call.
 */
import { InvalidEventError } from './errors';

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`... */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Returns the region when it looks like one; throws {@link InvalidEventError} naming `field`
 * otherwise (showing at most the first 40 characters of what was there).
 *
 * @example
 * checkRegion(detail.awsRegion, 'detail.awsRegion'); // 'us-east-1'
 */
export function checkRegion(region: string, field: string): string {
  if (AWS_REGION_PATTERN.test(region)) return region;
  const shown = region.length > 40 ? `${region.slice(0, 40)}...` : region;
  throw new InvalidEventError(
    field,
    `expected an AWS region such as us-east-1, got ${JSON.stringify(shown)}`,
  );
}
