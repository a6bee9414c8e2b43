/**
 * Atlassian Document Format: the rich-text JSON Jira Cloud REST API v3 takes for descriptions and
 * comments (`{"version": 1, "type": "doc", "content": [...]}`). Only the nodes needed here:
 * headings, paragraphs, text, hard breaks and link marks.
 */
import type { TicketText } from './content';

export interface AdfText {
  readonly type: 'text';
  readonly text: string;
  readonly marks?: readonly { readonly type: 'link'; readonly attrs: { readonly href: string } }[];
}

export type AdfInline = AdfText | { readonly type: 'hardBreak' };

export type AdfBlock =
  | {
      readonly type: 'heading';
      readonly attrs: { readonly level: number };
      readonly content: readonly AdfInline[];
    }
  | { readonly type: 'paragraph'; readonly content: readonly AdfInline[] };

export interface AdfDocument {
  readonly version: 1;
  readonly type: 'doc';
  readonly content: readonly AdfBlock[];
}

const URL_PATTERN = /https?:\/\/[^\s)]+/g;

/**
 * A ticket text as an ADF document: a level-3 heading per section, a paragraph per line.
 *
 * @example
 * const description = adfDocument(ticketText(finding, opening));
 */
export function adfDocument(text: TicketText): AdfDocument {
  return {
    version: 1,
    type: 'doc',
    content: text.sections.flatMap((section): AdfBlock[] => [
      { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: section.heading }] },
      ...section.lines.map((line): AdfBlock => ({ type: 'paragraph', content: inline(line) })),
    ]),
  };
}

/**
 * Plain text (lines separated by `\n`) as an ADF document: one paragraph per blank-line-separated
 * block, hard breaks inside a block, URLs as links.
 *
 * @example
 * adfText('Still NON_COMPLIANT.\nSee https://example.com');
 */
export function adfText(text: string): AdfDocument {
  const blocks = text.split(/\n{2,}/).filter((block) => block.trim() !== '');
  return {
    version: 1,
    type: 'doc',
    content: blocks.map((block) => ({
      type: 'paragraph',
      content: block
        .split('\n')
        .flatMap((line, index): AdfInline[] => [
          ...(index === 0 ? [] : [{ type: 'hardBreak' } as const]),
          ...inline(line),
        ]),
    })),
  };
}

/** A line as text nodes, URLs marked as links. ADF rejects empty text nodes, so none is made. */
function inline(line: string): AdfText[] {
  const nodes: AdfText[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const start = match.index;
    if (start > last) nodes.push({ type: 'text', text: line.slice(last, start) });
    nodes.push({ type: 'text', text: match[0], marks: [{ type: 'link', attrs: { href: match[0] } }] });
    last = start + match[0].length;
  }
  if (last < line.length) nodes.push({ type: 'text', text: line.slice(last) });
  return nodes.length > 0 ? nodes : [{ type: 'text', text: ' ' }];
}
