import { describe, expect, it } from 'vitest';
import {
  ParameterReader,
  parseCloudTrailEvent,
  roleNameOf,
  selfCaller,
} from '../../shared/events/cloudtrail';
import { InvalidEventError } from '../../shared/events/errors';
import { eventFixture } from './support';

function invalid(event: unknown): InvalidEventError {
  try {
    parseCloudTrailEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

describe('parseCloudTrailEvent', () => {
  it('reads the record: source, name, ids, account, region and caller', () => {
    // Act
    const record = parseCloudTrailEvent(eventFixture('cloudtrail/create-route.json'));

    // Assess
    expect(record).toMatchObject({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateRoute',
      eventId: '6f1c0013-3b4d-4e5f-8a9b-0c1d2e3f0013',
      eventTime: '2025-03-01T12:00:00Z',
      accountId: '111122223333',
      region: 'us-east-1',
      caller: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/Admin/alice',
        issuerArn: 'arn:aws:iam::111122223333:role/Admin',
      },
    });
    expect(record.errorCode).toBeUndefined();
    expect(record.request.string('routeTableId')).toBe('rtb-0b000001');
  });

  it('takes the account and region from the record, not the forwarding envelope', () => {
    // The envelope of a forwarded event may carry the member account; the record always does.
    const record = parseCloudTrailEvent(eventFixture('cloudtrail/cross-account-create-route.json'));

    expect(record.accountId).toBe('222233334444');
    expect(record.region).toBe('eu-west-1');
  });

  it('falls back to the envelope when the record lacks recipientAccountId / awsRegion / eventID', () => {
    const raw = eventFixture('cloudtrail/create-route.json');
    const {
      recipientAccountId: _a,
      awsRegion: _r,
      eventID: _e,
      ...detail
    } = raw.detail as Record<string, unknown>;

    const record = parseCloudTrailEvent({ ...raw, account: '444455556666', region: 'ap-south-1', detail });

    expect(record.accountId).toBe('444455556666');
    expect(record.region).toBe('ap-south-1');
    expect(record.eventId).toBe(raw.id);
  });

  it('keeps the errorCode of a failed call', () => {
    const record = parseCloudTrailEvent(eventFixture('cloudtrail/ignored/create-route-failed.json'));

    expect(record.errorCode).toBe('Client.UnauthorizedOperation');
  });

  it('accepts null requestParameters and responseElements (S3 answers null)', () => {
    const record = parseCloudTrailEvent(eventFixture('cloudtrail/delete-account-public-access-block.json'));

    expect(record.response.string('anything')).toBeUndefined();
  });

  describe('rejects, naming the field', () => {
    it.each([
      [
        'malformed/wrong-detail-type.json',
        'detail-type',
        'detail-type: expected "AWS API Call via CloudTrail"',
      ],
      [
        'malformed/missing-event-name.json',
        'detail.eventName',
        'detail.eventName: Invalid input: expected string, received undefined',
      ],
      ['malformed/no-detail.json', 'detail', 'detail: Invalid input: expected object, received undefined'],
      [
        'malformed/missing-account.json',
        'account',
        'account: missing: the envelope holds no 12-digit account id',
      ],
    ])('%s', (path, field, message) => {
      const error = invalid(eventFixture(`cloudtrail/${path}`));

      expect(error.field).toBe(field);
      expect(error.message).toBe(message);
    });

    it('a value that is not an object', () => {
      expect(invalid(null).field).toBe('(root)');
    });
  });
});

describe('ParameterReader', () => {
  it('unwraps a wrapped EC2 request and reads its PascalCase keys by any case', () => {
    const reader = new ParameterReader({ ModifyVpcEndpointRequest: { VpcEndpointId: 'vpce-1' } });

    expect(reader.string('vpcEndpointId')).toBe('vpce-1');
    expect(reader.string('VPCENDPOINTID')).toBe('vpce-1');
  });

  it('reads {tag, content} list members, one (object) or several (array)', () => {
    const one = new ParameterReader({ X: { SubnetId: { tag: 1, content: 'subnet-1' } } });
    const several = new ParameterReader({
      XRequest: {
        SubnetId: [
          { tag: 1, content: 'subnet-1' },
          { tag: 2, content: 'subnet-2' },
        ],
      },
    });

    expect(one.strings('X', 'SubnetId')).toEqual(['subnet-1']);
    expect(several.strings('SubnetId')).toEqual(['subnet-1', 'subnet-2']);
    expect(several.string('SubnetId')).toBe('subnet-1');
  });

  it('reads XML-derived sets ({items: [...]}, {item: ...})', () => {
    const reader = new ParameterReader({
      subnetIdSet: { item: ['subnet-1', 'subnet-2'] },
      groupSet: { items: [{ content: 'sg-1' }] },
      emptySet: '',
    });

    expect(reader.strings('subnetIdSet')).toEqual(['subnet-1', 'subnet-2']);
    expect(reader.strings('groupSet')).toEqual(['sg-1']);
    expect(reader.strings('emptySet')).toEqual([]);
  });

  it('reads S3 keys whatever their casing and list-ness (host / Host)', () => {
    const lower = new ParameterReader({ bucketName: 'b', host: ['b.s3.amazonaws.com'] });
    const upper = new ParameterReader({ bucketName: 'b', Host: 'b.s3.amazonaws.com' });

    expect(lower.string('Host')).toBe('b.s3.amazonaws.com');
    expect(upper.string('host')).toBe('b.s3.amazonaws.com');
  });

  it('leaves a body with several keys, or a wrapper that is not an object, as it is', () => {
    expect(
      new ParameterReader({ CreateRouteRequest: 'x', routeTableId: 'rtb-1' }).string('routeTableId'),
    ).toBe('rtb-1');
    expect(new ParameterReader({ CreateRouteRequest: 'x' }).string('CreateRouteRequest')).toBe('x');
  });

  it('walks a path and offers the first of several', () => {
    const reader = new ParameterReader({
      CreateVpcEndpointResponse: { vpcEndpoint: { vpcEndpointId: 'vpce-9' } },
    });

    expect(reader.string('vpcEndpoint', 'vpcEndpointId')).toBe('vpce-9');
    expect(reader.firstString(['missing'], ['vpcEndpoint', 'vpcEndpointId'])).toBe('vpce-9');
    expect(reader.string('vpcEndpoint', 'vpcEndpointId', 'deeper')).toBeUndefined();
  });
});

describe('selfCaller', () => {
  it('recognizes the member role, by the session issuer or the assumed-role ARN', () => {
    const issuer = { issuerArn: 'arn:aws:iam::111122223333:role/EndpointGuardMember' };
    const session = { arn: 'arn:aws:sts::111122223333:assumed-role/EndpointGuardMember/endpoint-guard' };

    expect(selfCaller(issuer)).toBe('EndpointGuardMember');
    expect(selfCaller(session)).toBe('EndpointGuardMember');
  });

  it('recognizes the central functions by their role name prefix, in the central account only', () => {
    const caller = { arn: 'arn:aws:sts::111122223333:assumed-role/endpoint-guard-remediate-role/fn' };

    expect(selfCaller(caller, { centralAccountId: '111122223333' })).toBe('endpoint-guard-remediate-role');
    expect(selfCaller(caller, { centralAccountId: '999988887777' })).toBeUndefined();
    expect(selfCaller(caller)).toBeUndefined();
  });

  it('uses the configured member role name, not the default', () => {
    const caller = { arn: 'arn:aws:sts::111122223333:assumed-role/EndpointGuardMember/s' };

    expect(selfCaller(caller, { memberRoleName: 'PlatformGuard' })).toBeUndefined();
    expect(
      selfCaller({ arn: 'arn:aws:sts::1:assumed-role/PlatformGuard/s' }, { memberRoleName: 'PlatformGuard' }),
    ).toBe('PlatformGuard');
  });

  it('is undefined for anyone else, including a role whose name only contains the member role name', () => {
    expect(selfCaller({ arn: 'arn:aws:sts::1:assumed-role/Admin/alice' })).toBeUndefined();
    expect(selfCaller({ arn: 'arn:aws:sts::1:assumed-role/NotEndpointGuardMember/s' })).toBeUndefined();
    expect(selfCaller({ arn: 'arn:aws:iam::1:user/endpoint-guard-admin' })).toBeUndefined();
    expect(selfCaller({})).toBeUndefined();
  });
});

describe('roleNameOf', () => {
  it('reads the role name of role ARNs (with a path) and of assumed-role ARNs', () => {
    expect(roleNameOf('arn:aws:iam::1:role/platform/EndpointGuardMember')).toBe('EndpointGuardMember');
    expect(roleNameOf('arn:aws-cn:sts::1:assumed-role/R/session')).toBe('R');
    expect(roleNameOf('arn:aws:iam::1:root')).toBeUndefined();
    expect(roleNameOf(undefined)).toBeUndefined();
  });
});
