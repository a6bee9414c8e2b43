/**
 * AWS Systems Manager OpsCenter as the ticket sink (the default: it needs no setup beyond the
 * function's IAM permissions). One OpsItem per finding occurrence, in the central account and
 * Region, deduplicated three ways: the store's claim, OpsCenter's own `/aws/dedup` string, and a
 * search on the searchable `endpoint-guard:findingId` operational data.
 *
 * Limits (CreateOpsItem API reference): Title 1..1024 characters, Description 1..2048,
 * operational data keys up to 128 characters (not starting with `aws`, `amazon`, `amzn`, `ssm`
 * except the documented `/aws/...` keys), values up to 20 KB; `Source` must not contain `aws`,
 * `amazon` or `amzn`; `Severity` is `1`..`4`; `Priority` is 1..5.
 */
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  type OpsItemDataValue,
  type SSMClient,
  UpdateOpsItemCommand,
} from '@aws-sdk/client-ssm';
import { describeAwsError, hasCode, isRefusal } from '../aws/errors';
import type { Finding } from '../findings/finding';
import { consoleUrl } from '../notifications/finding-text';
import { ruleById } from '../rules/index';
import type { Severity } from '../rules/types';
import { clip, renderMarkdown, ticketText } from './content';
import { TicketResponseError, TicketSinkError } from './errors';
import { findingKey } from './finding-key';
import type { TicketHandle, TicketOpening, TicketResolution, TicketSink, TicketUpdate } from './ports';

/** The OpsItem source of every endpoint-guard OpsItem. */
export const OPSITEM_SOURCE = 'endpoint-guard';
/** Searchable operational data key holding the finding id (what `findOpen` filters on). */
export const OPSITEM_FINDING_KEY = 'endpoint-guard:findingId';

const MAX_TITLE = 1024;
const MAX_DESCRIPTION = 2048;
/** Operational data values may hold 20 KB; stay well below for the text ones. */
const MAX_DATA_VALUE = 16_000;

/** OpsCenter severity: 1 (critical) .. 4 (low). */
const SEVERITY: Readonly<Record<Severity, string>> = {
  CRITICAL: '1',
  HIGH: '2',
  MEDIUM: '3',
  LOW: '4',
  INFORMATIONAL: '4',
};

const PRIORITY: Readonly<Record<Severity, number>> = {
  CRITICAL: 1,
  HIGH: 2,
  MEDIUM: 3,
  LOW: 4,
  INFORMATIONAL: 5,
};

export interface OpsCenterTicketSinkOptions {
  /** An SSM client in the central account and Region. */
  readonly ssm: SSMClient;
  /** The Region of the OpsItems, for console links. @default the client's Region */
  readonly region?: string;
  /** An SNS topic OpsCenter notifies when an OpsItem changes. @default none */
  readonly notificationTopicArn?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * Opens, updates and resolves OpsItems.
 *
 * AWS calls: `open` 1 (`CreateOpsItem`), `update` 1 and `resolve` 1 (`UpdateOpsItem`), `findOpen`
 * 1 (`DescribeOpsItems`).
 *
 * @example
 * const sink = new OpsCenterTicketSink({ ssm: new SSMClient({}) });
 * const { id, url } = await sink.open(finding, { why: 'rule set to ticket', warnings: [] });
 */
export class OpsCenterTicketSink implements TicketSink {
  readonly name = 'opscenter' as const;
  private readonly ssm: SSMClient;
  private readonly options: OpsCenterTicketSinkOptions;
  private readonly now: () => Date;

  constructor(options: OpsCenterTicketSinkOptions) {
    this.ssm = options.ssm;
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  async open(finding: Finding, opening: TicketOpening): Promise<TicketHandle> {
    const text = ticketText(finding, opening);
    const data: Record<string, OpsItemDataValue> = {
      '/aws/resources': searchable(JSON.stringify([{ arn: finding.resourceArn }])),
      '/aws/dedup': searchable(JSON.stringify({ dedupString: findingKey(finding.findingId) })),
      [OPSITEM_FINDING_KEY]: searchable(finding.findingId),
      'endpoint-guard:rule': searchable(finding.ruleId),
      'endpoint-guard:account': searchable(finding.accountId),
      'endpoint-guard:region': searchable(finding.region),
      'endpoint-guard:plan': plain(JSON.stringify(finding.remediation)),
    };
    const link = consoleUrl(finding);
    if (link) data['endpoint-guard:console'] = plain(link);
    if (opening.previous) {
      data['endpoint-guard:previousTicket'] = plain(
        JSON.stringify({ id: opening.previous.id, url: opening.previous.url ?? null }),
      );
    }
    const previousOpsItem = opening.previous?.sink === 'opscenter' ? opening.previous.id : undefined;
    try {
      const output = await this.ssm.send(
        new CreateOpsItemCommand({
          Title: clip(text.title, MAX_TITLE),
          Description: clip(renderMarkdown(text), MAX_DESCRIPTION),
          Source: OPSITEM_SOURCE,
          Severity: SEVERITY[finding.severity],
          Priority: PRIORITY[finding.severity],
          Category: ruleById(finding.ruleId).text.ticketCategory,
          OperationalData: data,
          ...(previousOpsItem ? { RelatedOpsItems: [{ OpsItemId: previousOpsItem }] } : {}),
          ...(this.options.notificationTopicArn
            ? { Notifications: [{ Arn: this.options.notificationTopicArn }] }
            : {}),
        }),
      );
      if (!output.OpsItemId) throw new TicketResponseError('opscenter', 'CreateOpsItem', 'no OpsItemId');
      return this.handle(output.OpsItemId);
    } catch (error) {
      // OpsCenter's own dedup: an open OpsItem with this dedup string exists. Adopt it.
      const existing = (error as { OpsItemId?: unknown }).OpsItemId;
      if (hasCode(error, 'OpsItemAlreadyExistsException') && typeof existing === 'string' && existing) {
        return this.handle(existing);
      }
      throw wrap(error, 'CreateOpsItem', finding.findingId);
    }
  }

  async update(ticket: TicketHandle, update: TicketUpdate): Promise<void> {
    await this.send('UpdateOpsItem', ticket.id, () =>
      this.ssm.send(
        new UpdateOpsItemCommand({
          OpsItemId: ticket.id,
          // OpsItems have no comments: the latest update is kept under one key (its history is in
          // the OpsItem's change log), so the item never grows without bound.
          OperationalData: {
            'endpoint-guard:lastUpdate': plain(`${this.now().toISOString()}: ${update.text}`),
          },
        }),
      ),
    );
  }

  async resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void> {
    await this.send('UpdateOpsItem', ticket.id, () =>
      this.ssm.send(
        new UpdateOpsItemCommand({
          OpsItemId: ticket.id,
          Status: 'Resolved',
          OperationalData: {
            'endpoint-guard:resolution': plain(`${this.now().toISOString()}: ${resolution.text}`),
          },
        }),
      ),
    );
  }

  async findOpen(finding: Finding): Promise<TicketHandle | undefined> {
    const output = await this.send('DescribeOpsItems', finding.findingId, () =>
      this.ssm.send(
        new DescribeOpsItemsCommand({
          OpsItemFilters: [
            {
              Key: 'OperationalData',
              Operator: 'Equal',
              Values: [JSON.stringify({ key: OPSITEM_FINDING_KEY, value: finding.findingId })],
            },
            { Key: 'Source', Operator: 'Equal', Values: [OPSITEM_SOURCE] },
            { Key: 'Status', Operator: 'Equal', Values: ['Open', 'InProgress'] },
          ],
          MaxResults: 5,
        }),
      ),
    );
    const id = output.OpsItemSummaries?.find((summary) => summary.OpsItemId)?.OpsItemId;
    return id ? this.handle(id) : undefined;
  }

  private async handle(id: string): Promise<TicketHandle> {
    const region = this.options.region ?? (await this.clientRegion());
    return {
      id,
      ...(region
        ? { url: `https://${region}.console.aws.amazon.com/systems-manager/opsitems/${id}?region=${region}` }
        : {}),
    };
  }

  private async clientRegion(): Promise<string | undefined> {
    const region: unknown = this.ssm.config.region;
    const value = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
    return typeof value === 'string' ? value : undefined;
  }

  private async send<T>(operation: string, subject: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw wrap(error, operation, subject);
    }
  }
}

function searchable(value: string): OpsItemDataValue {
  return { Type: 'SearchableString', Value: value };
}

function plain(value: string): OpsItemDataValue {
  return { Type: 'String', Value: clip(value, MAX_DATA_VALUE) };
}

function wrap(error: unknown, operation: string, subject: string): Error {
  if (error instanceof TicketResponseError || error instanceof TicketSinkError) return error;
  return new TicketSinkError('opscenter', operation, subject, {
    problem: describeAwsError(error),
    retryable: !isRefusal(error),
    cause: error,
  });
}
