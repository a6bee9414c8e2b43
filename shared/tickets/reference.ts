/**
 * The ticket of a finding as the findings store keeps it, in the state item's `ticketReference`
 * (a string): compact JSON naming the sink, the ticket, and whether it is open or resolved. The
 * state is the truth for "this finding has an open ticket"; the ticket claim only decides who
 * opens one.
 */
import { z } from 'zod';
import type { PreviousTicket, TicketHandle, TicketSinkName } from './ports';

/** A finding's ticket, open or resolved. */
export interface StoredTicket extends TicketHandle {
  readonly v: 1;
  readonly sink: TicketSinkName;
  readonly status: 'open' | 'resolved';
  readonly openedAt: string;
  readonly resolvedAt?: string;
  /** What resolved it, in one line. */
  readonly resolution?: string;
}

const storedTicketSchema = z.object({
  v: z.literal(1),
  sink: z.enum(['opscenter', 'jira', 'servicenow', 'webhook']),
  id: z.string().min(1),
  key: z.string().optional(),
  url: z.string().optional(),
  status: z.enum(['open', 'resolved']),
  openedAt: z.string(),
  resolvedAt: z.string().optional(),
  resolution: z.string().optional(),
});

/** Resolutions are cut to this length in the state item (the ticket holds the whole text). */
const MAX_RESOLUTION = 300;

/**
 * The `ticketReference` text of a ticket.
 *
 * @example
 * await store.setTicketReference(findingId, encodeTicket({ v: 1, sink: 'jira', id: 'OPS-12', status: 'open', openedAt }));
 */
export function encodeTicket(ticket: StoredTicket): string {
  const resolution =
    ticket.resolution && ticket.resolution.length > MAX_RESOLUTION
      ? `${ticket.resolution.slice(0, MAX_RESOLUTION - 3)}...`
      : ticket.resolution;
  return JSON.stringify({ ...ticket, ...(resolution === undefined ? {} : { resolution }) });
}

/**
 * The ticket a `ticketReference` names; `undefined` for none, for the `pending:<auditId>` intents
 * recorded before a sink was wired, and for anything unreadable (then a new ticket is opened).
 *
 * @example
 * const ticket = decodeTicket(state.ticketReference);
 * if (ticket?.status === 'open') await sink.update(ticket, update);
 */
export function decodeTicket(reference: string | undefined): StoredTicket | undefined {
  if (!reference?.startsWith('{')) return undefined;
  try {
    const result = storedTicketSchema.safeParse(JSON.parse(reference));
    if (!result.success) return undefined;
    const { key, url, resolvedAt, resolution, ...rest } = result.data;
    return {
      ...rest,
      ...(key === undefined ? {} : { key }),
      ...(url === undefined ? {} : { url }),
      ...(resolvedAt === undefined ? {} : { resolvedAt }),
      ...(resolution === undefined ? {} : { resolution }),
    };
  } catch {
    return undefined;
  }
}

/**
 * What people call a ticket: `jira OPS-12`, `servicenow INC0010001`, `opscenter oi-0a1b2c3d4e5f`.
 *
 * @example
 * ticketName({ sink: 'jira', id: 'OPS-12' }); // 'jira OPS-12'
 */
export function ticketName(ticket: Pick<StoredTicket, 'sink' | 'id' | 'key'>): string {
  return `${ticket.sink} ${ticket.key ?? ticket.id}`;
}

/**
 * A resolved ticket as the previous ticket of a regression.
 *
 * @example
 * const previous = asPrevious(resolvedTicket);
 */
export function asPrevious(ticket: StoredTicket): PreviousTicket {
  return {
    sink: ticket.sink,
    id: ticket.id,
    ...(ticket.key === undefined ? {} : { key: ticket.key }),
    ...(ticket.url === undefined ? {} : { url: ticket.url }),
    ...(ticket.resolvedAt === undefined ? {} : { resolvedAt: ticket.resolvedAt }),
    ...(ticket.resolution === undefined ? {} : { resolution: ticket.resolution }),
  };
}
