/**
 * The cdk-nag acknowledgements (infra/nag-suppressions.ts) are all needed and no broader than
 * the findings: every one matches a finding the unacknowledged app reports on that construct,
 * and without them cdk-nag fails. Built (not synthesized) with stand-in handlers.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, FIXTURE_FUNCTIONS, ORGANIZATION_CONTEXT, type TestApp } from './support';

interface Finding {
  readonly path: string;
  readonly id: string;
}

/** Every acknowledgement recorded in the construct tree: where, and which finding. */
function acknowledgementsOf(root: IConstruct): Finding[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data ?? {}))
      .map((key) => ({ path: construct.node.path, id: key.replace(/^annotation::/i, '') })),
  );
}

function findingsOf(app: TestApp): Finding[] {
  return app.nagReport().violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      path: resource.constructPath ?? '',
      id: violation.ruleName,
    })),
  );
}

describe.each([
  ['organization mode with sweep', { ...ORGANIZATION_CONTEXT, sweep: 'on' }],
  ['account mode with sweep', { mode: 'account', sweep: 'on' }],
])('cdk-nag acknowledgements, %s', (_, context) => {
  let unacknowledged: Finding[];
  let acknowledged: TestApp;

  beforeAll(() => {
    unacknowledged = findingsOf(
      buildTestApp(context, { functionsDir: FIXTURE_FUNCTIONS, acknowledge: false }),
    );
    acknowledged = buildTestApp(context, { functionsDir: FIXTURE_FUNCTIONS });
  });

  it('fails the app without them', () => {
    // Assess
    const rules = new Set(unacknowledged.map((finding) => finding.id.replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']),
    );
  });

  it('acknowledges exactly findings that exist, on the construct that has them', () => {
    // Act
    const stale = acknowledgementsOf(acknowledged.app).filter(
      (ack) =>
        !unacknowledged.some((finding) => finding.id === ack.id && finding.path.startsWith(`${ack.path}/`)),
    );

    // Assess
    expect(stale).toEqual([]);
  });

  it('leaves nothing unacknowledged', () => {
    // Act
    const remaining = findingsOf(acknowledged);

    // Assess
    expect(remaining).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    // Act
    const reasons = acknowledged.app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.values(entry.data ?? {})),
      );

    // Assess
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(String(reason).length).toBeGreaterThan(40);
  });
});
