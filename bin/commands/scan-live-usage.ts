/**
 * The help of `scan --live`, apart from the command so that printing it loads no AWS SDK.
 */
import { AWS_OPTIONS_USAGE } from '../aws-options';
import { OUTPUT_USAGE } from '../scan-options';

export const DEFAULT_CONCURRENCY = 4;

export const SCAN_LIVE_USAGE = `Usage: endpoint-guard scan --live [options]

Evaluates live AWS state, read-only (Describe, Get and List calls only), with the default
credential chain: environment, shared config and credentials files, SSO, instance role.

Options:
  --live                 read live state instead of a snapshot
${AWS_OPTIONS_USAGE.profile}
  --region R[,R]         regions to scan, comma-separated or repeated (default: $AWS_REGION,
                         $AWS_DEFAULT_REGION, else the profile's region)
  --accounts ID,ID       scan these accounts through the member role (default: the caller's account)
  --organization         scan every ACTIVE account of the organization (Organizations ListAccounts;
                         run it from the management or a delegated administrator account)
${AWS_OPTIONS_USAGE.roleName}
  --concurrency N        account×region scans at once (default: ${DEFAULT_CONCURRENCY})
${OUTPUT_USAGE}

Accounts that cannot be read (the role cannot be assumed) are reported on stderr, grouped by
cause, and under "errors" in JSON; the others are still scanned. Progress goes to stderr when it
is a terminal.

Exit codes: 0 scanned, 1 findings with --fail-on-findings, 2 bad arguments or no account readable.`;
