/**
 * Just enough of Jira Cloud REST API v3, with state, on the scripted test server: create issue,
 * enhanced JQL search by label, comments, transitions. Answers in the shapes Atlassian documents;
 * queued replies (`server.reply`) still win, so a test can inject failures.
 */
import type { TestHttpServer } from '../http/server';

export interface FakeIssue {
  readonly key: string;
  readonly labels: readonly string[];
  readonly summary: string;
  /** The description's text nodes, joined. */
  readonly description: string;
  status: 'To Do' | 'Done';
  readonly comments: string[];
}

export interface FakeJira {
  readonly issues: Map<string, FakeIssue>;
  /** Makes the next create store the issue but answer 500 (a create that failed half-way). */
  failNextCreateAfterStoring(): void;
}

/**
 * Installs the fake as the server's fallback responder.
 *
 * @example
 * const jira = fakeJira(server);
 * expect([...jira.issues.values()].map((issue) => issue.status)).toEqual(['Done']);
 */
export function fakeJira(server: TestHttpServer): FakeJira {
  const issues = new Map<string, FakeIssue>();
  let next = 1;
  let failNextCreate = false;
  server.fallback((request) => {
    const url = new URL(`http://jira${request.path}`);
    const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    if (request.method === 'POST' && url.pathname === '/rest/api/3/issue') {
      const fields = body.fields as { labels: string[]; summary: string; description: unknown };
      const key = `OPS-${next++}`;
      issues.set(key, {
        key,
        labels: fields.labels,
        summary: fields.summary,
        description: textOf(fields.description),
        status: 'To Do',
        comments: [],
      });
      if (failNextCreate) {
        failNextCreate = false;
        return { status: 500, body: { errorMessages: ['Internal server error'], errors: {} } };
      }
      return {
        status: 201,
        body: {
          id: String(10000 + next),
          key,
          self: `https://example.atlassian.net/rest/api/3/issue/${key}`,
        },
      };
    }
    if (request.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
      const label = /labels = "([^"]+)"/.exec(url.searchParams.get('jql') ?? '')?.[1];
      const found = [...issues.values()].filter(
        (issue) => label && issue.labels.includes(label) && issue.status !== 'Done',
      );
      return {
        status: 200,
        body: {
          issues: found.map((issue) => ({
            id: issue.key,
            key: issue.key,
            fields: { status: { name: issue.status } },
          })),
          isLast: true,
        },
      };
    }
    const match = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(url.pathname);
    const issue = match?.[1] ? issues.get(decodeURIComponent(match[1])) : undefined;
    if (!match || !issue) {
      return {
        status: 404,
        body: {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
          errors: {},
        },
      };
    }
    if (match[2] === 'comment' && request.method === 'POST') {
      issue.comments.push(textOf(body.body));
      return { status: 201, body: { id: String(issue.comments.length), body: body.body } };
    }
    if (match[2] === 'transitions' && request.method === 'GET') {
      return {
        status: 200,
        body: {
          transitions:
            issue.status === 'Done'
              ? [{ id: '11', name: 'Reopen', to: { name: 'To Do' } }]
              : [{ id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } }],
        },
      };
    }
    if (match[2] === 'transitions' && request.method === 'POST') {
      const id = (body.transition as { id?: string } | undefined)?.id;
      issue.status = id === '31' ? 'Done' : 'To Do';
      return { status: 204 };
    }
    return { status: 405, body: { errorMessages: ['Method not allowed'] } };
  });
  return {
    issues,
    failNextCreateAfterStoring: () => {
      failNextCreate = true;
    },
  };
}

/** The text nodes of an ADF document, joined with spaces. */
function textOf(adf: unknown): string {
  if (typeof adf !== 'object' || adf === null) return '';
  const node = adf as { text?: unknown; content?: unknown };
  const own = typeof node.text === 'string' ? [node.text] : [];
  const children = Array.isArray(node.content) ? node.content.map(textOf) : [];
  return [...own, ...children].filter(Boolean).join(' ');
}
