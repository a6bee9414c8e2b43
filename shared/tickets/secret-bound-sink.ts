/**
 * A ticket sink whose destination comes from its Secrets Manager secret. Every call reads the
 * secret (cached by the secret provider) and talks to the URL it holds, so a rotated secret or a
 * moved site takes effect without a redeployment, and nothing in the settings can change where the
 * credentials go.
 */
import type { Finding } from '../findings/finding';
import type {
  TicketHandle,
  TicketOpening,
  TicketResolution,
  TicketSink,
  TicketSinkName,
  TicketUpdate,
} from './ports';

export interface SecretBoundSinkOptions<S> {
  readonly name: TicketSinkName;
  /** Reads the sink's secret (destination and credentials). */
  readonly secret: () => Promise<S>;
  /** The destination in the secret: a new one builds a new sink. */
  readonly destinationOf: (secret: S) => string;
  /** Builds the sink that talks to the secret's destination. */
  readonly build: (secret: S) => TicketSink;
  /** The backend can be searched for a finding's open ticket (Jira, ServiceNow). */
  readonly searchable: boolean;
}

/**
 * @example
 * const sink = new SecretBoundSink({
 *   name: 'jira', secret: readJiraSecret, destinationOf: (s) => s.baseUrl,
 *   build: (s) => new JiraTicketSink({ baseUrl: s.baseUrl, ... }), searchable: true,
 * });
 */
export class SecretBoundSink<S> implements TicketSink {
  readonly name: TicketSinkName;
  readonly findOpen?: (finding: Finding) => Promise<TicketHandle | undefined>;
  private readonly options: SecretBoundSinkOptions<S>;
  private current: { readonly destination: string; readonly sink: TicketSink } | undefined;

  constructor(options: SecretBoundSinkOptions<S>) {
    this.name = options.name;
    this.options = options;
    if (options.searchable) {
      this.findOpen = async (finding) => (await this.sink()).findOpen?.(finding);
    }
  }

  async open(finding: Finding, opening: TicketOpening): Promise<TicketHandle> {
    return (await this.sink()).open(finding, opening);
  }

  async update(ticket: TicketHandle, update: TicketUpdate): Promise<void> {
    return (await this.sink()).update(ticket, update);
  }

  async resolve(ticket: TicketHandle, resolution: TicketResolution): Promise<void> {
    return (await this.sink()).resolve(ticket, resolution);
  }

  private async sink(): Promise<TicketSink> {
    const secret = await this.options.secret();
    const destination = this.options.destinationOf(secret);
    if (this.current?.destination !== destination) {
      this.current = { destination, sink: this.options.build(secret) };
    }
    return this.current.sink;
  }
}
