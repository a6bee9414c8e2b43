import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors';
import { RULE_IDS } from '../../shared/rules/index';
import { DEFAULT_RULE_OPTIONS } from '../../shared/rules/types';
import { SettingsValidationError } from '../../shared/settings/errors';
import { modeFor } from '../../shared/settings/resolve';
import {
  DEFAULT_SETTINGS,
  parseSettings,
  parseSettingsJson,
  ruleOptionsOf,
  settingsSchema,
  withoutAutoFix,
} from '../../shared/settings/schema';

const EXAMPLE = 'examples/settings.json';
const SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:endpoint-guard/tickets/jira-AbCdEf';

/** The problems parseSettings reports for a document (fails the test when it parses). */
function problemsOf(document: unknown): readonly string[] {
  try {
    parseSettings(document);
  } catch (error) {
    if (error instanceof SettingsValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the document to be invalid');
}

describe('settings schema', () => {
  describe('defaults', () => {
    it('fills in every default: everything ticketed, no dry run, 10 fixes per hour, OpsCenter tickets', () => {
      expect(DEFAULT_SETTINGS).toEqual({
        version: 1,
        defaultMode: 'ticket',
        dryRun: false,
        rules: {
          'interface-endpoint-multi-az': {},
          's3-bucket-public-access': {},
          'gateway-endpoint-routes': {
            allowCreateEndpoint: false,
            services: { s3: 'required', dynamodb: 'if-present' },
            includePublicRouteTables: false,
          },
        },
        accounts: {},
        exemptions: [],
        maxFixesPerAccountPerHour: 10,
        tickets: { sink: 'opscenter' },
        notifications: {},
        securityHub: { enabled: false },
      });
    });

    it('gives the minimal document {"version":1} exactly the defaults', () => {
      expect(parseSettings({ version: 1 })).toEqual(DEFAULT_SETTINGS);
    });

    it('gives the rules the same options as DEFAULT_RULE_OPTIONS', () => {
      expect(ruleOptionsOf(DEFAULT_SETTINGS)).toEqual(DEFAULT_RULE_OPTIONS);
    });

    it('is deeply frozen, so no caller can change the settings in force for everyone', () => {
      expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
      expect(Object.isFrozen(DEFAULT_SETTINGS.rules['gateway-endpoint-routes'].services)).toBe(true);
      expect(() => {
        (DEFAULT_SETTINGS as { defaultMode: string }).defaultMode = 'auto-fix';
      }).toThrow(TypeError);
    });

    it('has one rules entry per rule of the registry, and names them when one is unknown', () => {
      expect(Object.keys(DEFAULT_SETTINGS.rules).sort()).toEqual([...RULE_IDS].sort());
    });
  });

  describe('valid documents', () => {
    it('accepts the document ARCHITECTURE.md documents, keys and meanings kept', () => {
      // Prepare: the example of ARCHITECTURE.md, "The settings contract".
      const documented = {
        version: 1,
        defaultMode: 'ticket',
        dryRun: false,
        rules: {
          'interface-endpoint-multi-az': { mode: 'auto-fix' },
          'gateway-endpoint-routes': {
            mode: 'auto-fix',
            allowCreateEndpoint: false,
            services: { s3: 'required', dynamodb: 'if-present' },
            includePublicRouteTables: false,
          },
          's3-bucket-public-access': { mode: 'ticket' },
        },
        accounts: { '111122223333': { defaultMode: 'notify', rules: {} } },
        exemptions: [
          { resource: 'arn:aws:s3:::www.example.com', reason: 'public website', until: '2027-06-30' },
        ],
        maxFixesPerAccountPerHour: 10,
        tickets: { sink: 'opscenter' },
      };

      // Act
      const settings = parseSettings(documented);

      // Assess
      expect(settings.rules['interface-endpoint-multi-az'].mode).toBe('auto-fix');
      expect(settings.accounts['111122223333']).toEqual({ defaultMode: 'notify', rules: {} });
      expect(settings.exemptions).toEqual(documented.exemptions);
      expect(settings.notifications).toEqual({});
    });

    it('accepts examples/settings.json and reads every extension', () => {
      const settings = parseSettingsJson(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);

      expect(modeFor(settings, 's3-bucket-public-access', '444455556666')).toEqual({
        mode: 'auto-fix',
        from: 'accounts.444455556666.rules.s3-bucket-public-access.mode',
      });
      expect(settings.accounts['777788889999']).toEqual({ defaultMode: 'off', rules: {} });
      expect(settings.exemptions[1]).toEqual({
        resource: 'vpce-0a1b2c3d4e5f60003',
        rule: 'interface-endpoint-multi-az',
        reason: 'single-AZ test VPC, retired with the migration',
      });
      // The Jira site and credentials live in the secret endpoint-guard/tickets/jira, not here.
      expect(settings.tickets.jira).toEqual({ projectKey: 'OPS', issueType: 'Task', doneTransition: 'Done' });
      expect(settings.tickets.servicenow?.assignmentGroup).toBe('Network Operations');
      expect(settings.notifications.commentIntervalHours).toBe(24);
    });

    it('round-trips: the printed settings parse back to the same settings', () => {
      const settings = parseSettingsJson(readFileSync(EXAMPLE, 'utf8'));
      expect(parseSettings(JSON.parse(JSON.stringify(settings)))).toEqual(settings);
      expect(parseSettings(JSON.parse(JSON.stringify(DEFAULT_SETTINGS)))).toEqual(DEFAULT_SETTINGS);
    });

    it('hands the gateway rule options to the rules', () => {
      const settings = parseSettings({
        version: 1,
        rules: {
          'gateway-endpoint-routes': {
            allowCreateEndpoint: true,
            services: { dynamodb: 'required' },
            includePublicRouteTables: true,
          },
        },
      });
      expect(ruleOptionsOf(settings)).toEqual({
        'gateway-endpoint-routes': {
          allowCreateEndpoint: true,
          services: { s3: 'required', dynamodb: 'required' },
          includePublicRouteTables: true,
        },
      });
    });

    it('fills in the Jira issue type and done transition', () => {
      const settings = parseSettings({
        version: 1,
        tickets: {
          sink: 'jira',
          jira: { projectKey: 'NET', secretArn: SECRET },
        },
      });
      expect(settings.tickets).toEqual({
        sink: 'jira',
        jira: {
          projectKey: 'NET',
          issueType: 'Task',
          doneTransition: 'Done',
          secretArn: SECRET,
        },
      });
    });

    it('exports a schema that converts to JSON Schema for editors', () => {
      const jsonSchema = JSON.stringify(settingsSchema.toJSONSchema({ io: 'input' }));
      expect(jsonSchema).toContain('maxFixesPerAccountPerHour');
    });
  });

  describe('invalid documents: every problem, with its JSON path', () => {
    it.each([
      {
        case: 'a misspelled mode',
        document: { version: 1, rules: { 's3-bucket-public-access': { mode: 'autofix' } } },
        problems: [
          'rules.s3-bucket-public-access.mode: expected one of off, notify, ticket, auto-fix, got "autofix"',
        ],
      },
      {
        case: 'an unknown rule id',
        document: { version: 1, rules: { 's3-public-access': { mode: 'off' } } },
        problems: [
          'rules.s3-public-access: unknown rule; expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
        ],
      },
      {
        case: 'an unknown rule id in an account',
        document: { version: 1, accounts: { '111122223333': { rules: { 'multi-az': { mode: 'off' } } } } },
        problems: [
          'accounts.111122223333.rules.multi-az: unknown rule; expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes',
        ],
      },
      {
        case: 'a misspelled option',
        document: { version: 1, rules: { 'gateway-endpoint-routes': { allowCreateEndpoints: true } } },
        problems: [
          'rules.gateway-endpoint-routes.allowCreateEndpoints: unknown key; expected one of mode, allowCreateEndpoint, services, includePublicRouteTables',
        ],
      },
      {
        case: 'a rule option in an account (options are organization-wide)',
        document: {
          version: 1,
          accounts: {
            '111122223333': { rules: { 'gateway-endpoint-routes': { allowCreateEndpoint: true } } },
          },
        },
        problems: [
          'accounts.111122223333.rules.gateway-endpoint-routes.allowCreateEndpoint: unknown key; expected one of mode',
        ],
      },
      {
        case: 'a misspelled top-level key',
        document: { version: 1, dryrun: true },
        problems: [
          'dryrun: unknown key; expected one of version, defaultMode, dryRun, rules, accounts, exemptions, maxFixesPerAccountPerHour, tickets, notifications, securityHub',
        ],
      },
      {
        case: 'a misspelled Security Hub switch',
        document: { version: 1, securityHub: { enable: true } },
        problems: ['securityHub.enable: unknown key; expected one of enabled'],
      },
      {
        case: 'a Security Hub switch that is not a boolean',
        document: { version: 1, securityHub: { enabled: 'yes' } },
        problems: ['securityHub.enabled: expected true or false, got "yes"'],
      },
      {
        case: 'a gateway service requirement',
        document: { version: 1, rules: { 'gateway-endpoint-routes': { services: { s3: 'always' } } } },
        problems: [
          'rules.gateway-endpoint-routes.services.s3: expected one of required, if-present, ignore, got "always"',
        ],
      },
      {
        case: 'no version',
        document: { defaultMode: 'notify' },
        problems: ['version: required: expected 1'],
      },
      {
        case: 'another version',
        document: { version: 2 },
        problems: ['version: expected 1, got 2'],
      },
      {
        case: 'an account id that is not 12 digits',
        document: { version: 1, accounts: { '1111-2222-3333': { defaultMode: 'off' } } },
        problems: ['accounts.1111-2222-3333: expected a 12-digit account id, got "1111-2222-3333"'],
      },
      {
        case: 'a string for a boolean',
        document: { version: 1, dryRun: 'true' },
        problems: ['dryRun: expected true or false, got "true"'],
      },
      {
        case: 'a negative cap',
        document: { version: 1, maxFixesPerAccountPerHour: -1 },
        problems: ['maxFixesPerAccountPerHour: expected an integer ≥ 0, got -1'],
      },
      {
        case: 'a fractional cap',
        document: { version: 1, maxFixesPerAccountPerHour: 2.5 },
        problems: ['maxFixesPerAccountPerHour: expected an integer, got 2.5'],
      },
      {
        case: 'an exemption without a reason',
        document: { version: 1, exemptions: [{ resource: 'arn:aws:s3:::a' }] },
        problems: ['exemptions[0].reason: required: expected a string'],
      },
      {
        case: 'an exemption with a blank reason, an impossible date and an unknown rule',
        document: {
          version: 1,
          exemptions: [
            { resource: 'arn:aws:s3:::a', rule: 'public-buckets', reason: '  ', until: '2027-02-30' },
          ],
        },
        problems: [
          'exemptions[0].rule: expected one of interface-endpoint-multi-az, s3-bucket-public-access, gateway-endpoint-routes, got "public-buckets"',
          'exemptions[0].reason: expected a non-empty reason, got "  "',
          'exemptions[0].until: expected a date as YYYY-MM-DD, got "2027-02-30"',
        ],
      },
      {
        case: 'an exemption of a resource with a space',
        document: { version: 1, exemptions: [{ resource: 'my bucket', reason: 'x' }] },
        problems: ['exemptions[0].resource: expected a resource ARN or id (no spaces), got "my bucket"'],
      },
      {
        case: 'the Jira sink without its settings',
        document: { version: 1, tickets: { sink: 'jira' } },
        problems: ['tickets.jira: required when tickets.sink is "jira" (at least its projectKey)'],
      },
      {
        case: 'an unknown sink',
        document: { version: 1, tickets: { sink: 'email' } },
        problems: ['tickets.sink: expected one of opscenter, jira, servicenow, webhook, none, got "email"'],
      },
      {
        case: 'a webhook URL in the settings and a secret that is not an ARN',
        document: {
          version: 1,
          tickets: { sink: 'webhook', webhook: { url: 'http://hooks.example.com', secretArn: 'token' } },
        },
        problems: [
          // Ticket fields may hold a pasted credential: their values are described, not echoed.
          'tickets.webhook.url: no longer read from the settings (anyone who may edit them could send the webhook credentials to another host): move it into the secret endpoint-guard/tickets/webhook, which now holds {"url": "https://hooks.example.com/...", "signingKey": "<at least 16 characters>"}, then delete this key',
          'tickets.webhook.secretArn: expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got a 5-character string',
        ],
      },
      {
        case: 'a comment interval of zero hours',
        document: { version: 1, notifications: { commentIntervalHours: 0 } },
        problems: ['notifications.commentIntervalHours: expected a number of hours > 0, got 0'],
      },
      {
        case: 'an array for an object',
        document: { version: 1, rules: [] },
        problems: ['rules: expected an object, got an array'],
      },
      {
        case: 'not an object',
        document: 'auto-fix',
        problems: ['(document): expected an object, got "auto-fix"'],
      },
    ])('rejects $case', ({ document, problems }) => {
      expect(problemsOf(document)).toEqual(problems);
    });

    it('lists every problem in one error, each on its own line, with the source', () => {
      // Act
      let error: unknown;
      try {
        parseSettings({ version: 1, defaultMode: 'fix', dryRun: 1 }, '/endpoint-guard/settings (version 4)');
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).toBeInstanceOf(SettingsValidationError);
      expect(error).toBeInstanceOf(InputError);
      expect((error as SettingsValidationError).message).toBe(
        '/endpoint-guard/settings (version 4): invalid settings, 2 problems:\n' +
          '  - defaultMode: expected one of off, notify, ticket, auto-fix, got "fix"\n' +
          '  - dryRun: expected true or false, got 1',
      );
    });

    it('puts a single problem on one line', () => {
      expect(() => parseSettings({ version: 1, defaultMode: 'fix' })).toThrow(
        new SettingsValidationError([
          'defaultMode: expected one of off, notify, ticket, auto-fix, got "fix"',
        ]),
      );
      expect(() => parseSettings({ version: 1, defaultMode: 'fix' })).toThrow(
        'invalid settings: defaultMode: expected one of off, notify, ticket, auto-fix, got "fix"',
      );
    });

    it('reports text that is not JSON as a settings problem', () => {
      try {
        parseSettingsJson('{"version": 1,', 'settings.json');
        expect.unreachable('not JSON');
      } catch (error) {
        expect(error).toBeInstanceOf(SettingsValidationError);
        const { problems, message } = error as SettingsValidationError;
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^\(document\): not valid JSON: /);
        expect(message).toMatch(/^settings\.json: invalid settings: \(document\): not valid JSON: /);
      }
    });
  });

  describe('withoutAutoFix', () => {
    it('turns every auto-fix into ticket and keeps every other mode', () => {
      // Prepare
      const settings = parseSettings({
        version: 1,
        defaultMode: 'auto-fix',
        rules: {
          'interface-endpoint-multi-az': { mode: 'auto-fix' },
          's3-bucket-public-access': { mode: 'notify' },
        },
        accounts: {
          '111122223333': {
            defaultMode: 'auto-fix',
            rules: { 'gateway-endpoint-routes': { mode: 'auto-fix' } },
          },
          '444455556666': { defaultMode: 'off' },
        },
      });

      // Act
      const capped = withoutAutoFix(settings);

      // Assess
      expect(capped.defaultMode).toBe('ticket');
      expect(capped.rules['interface-endpoint-multi-az'].mode).toBe('ticket');
      expect(capped.rules['s3-bucket-public-access'].mode).toBe('notify');
      expect(capped.rules['gateway-endpoint-routes']).toEqual(settings.rules['gateway-endpoint-routes']);
      expect(capped.accounts).toEqual({
        '111122223333': { defaultMode: 'ticket', rules: { 'gateway-endpoint-routes': { mode: 'ticket' } } },
        '444455556666': { defaultMode: 'off', rules: {} },
      });
      expect(JSON.stringify(capped)).not.toContain('auto-fix');
    });
  });
});
