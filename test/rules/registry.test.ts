import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULES, ruleById } from '../../shared/rules/index';

const root = resolve(import.meta.dirname, '../..');
const expected = JSON.parse(readFileSync(resolve(root, 'examples/expected-verdicts.json'), 'utf8')) as {
  rule: string;
  status: string;
}[];

describe('the rule registry', () => {
  it.each(RULES.map((rule) => [rule.id, rule] as const))(
    '%s declares what infra and people need',
    (id, rule) => {
      expect(
        existsSync(resolve(root, `shared/rules/${id}.ts`)),
        'one file per rule, named after its id',
      ).toBe(true);
      expect(existsSync(resolve(root, `test/rules/${id}.test.ts`)), 'a spec per rule').toBe(true);
      expect(rule.permissions.detect.length).toBeGreaterThan(0);
      expect(rule.permissions.fix.length).toBeGreaterThan(0);
      for (const action of [...rule.permissions.detect, ...rule.permissions.fix]) {
        expect(action).toMatch(/^(ec2|s3|config):[A-Z][A-Za-z]+$/);
      }
      expect(rule.triggers.length).toBeGreaterThan(0);
      expect(rule.title).not.toBe('');
      expect(rule.description).not.toBe('');
    },
  );

  it.each(RULE_IDS)('%s has an example of every status in the example organization', (id) => {
    const statuses = new Set(
      expected.filter((verdict) => verdict.rule === id).map((verdict) => verdict.status),
    );

    expect([...statuses].sort()).toEqual(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);
  });

  it('has unique ids', () => {
    expect(new Set(RULE_IDS).size).toBe(RULES.length);
  });

  it('names the valid ids when asked for an unknown one', () => {
    expect(() => ruleById('nope')).toThrow(
      'unknown rule "nope": expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
    );
  });

  it('refuses to evaluate a resource of another type', () => {
    const rule = ruleById('s3-bucket-public-access');
    const subnet = {
      resourceType: 'AWS::EC2::Subnet',
      resourceId: 'subnet-1',
      accountId: '111122223333',
      region: 'us-east-1',
      arn: '',
      itemStatus: 'OK',
      tags: {},
      vpcId: 'vpc-1',
      availabilityZone: 'us-east-1a',
    } as const;

    expect(() => rule.evaluate(subnet, {} as never)).toThrow(
      'rule s3-bucket-public-access evaluates AWS::S3::Bucket, not AWS::EC2::Subnet',
    );
  });
});
