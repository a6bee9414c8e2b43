/**
 * "A fact is written once": rule ids, fix-action names, recorded-change kinds and action shapes
 * live in their modules and the registries; everything else derives them. This test reads the
 * production sources and fails when one of them is written by hand anywhere else (comments and
 * documentation examples aside).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../shared/remediation/actions/index';
import { RULES } from '../../shared/rules/index';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file without its comments (documentation examples may name anything). */
function code(path: string): string {
  return readFileSync(join(root, path), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const PRODUCTION = ['shared', 'functions', 'bin', 'infra'].flatMap(sources);

/** Files allowed to spell a name: its own module, and the registry that lists it. */
function writtenOutside(name: string, allowed: readonly string[]): string[] {
  const quoted = new RegExp(`(['"\`])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`);
  return PRODUCTION.filter((path) => !allowed.includes(path) && quoted.test(code(path))).map((path) =>
    relative(root, join(root, path)),
  );
}

describe('every rule id, action name and change kind is written once', () => {
  it('finds the production sources', () => {
    expect(PRODUCTION).toContain('shared/rules/index.ts');
    expect(PRODUCTION.length).toBeGreaterThan(100);
  });

  it.each(RULES.map((rule) => rule.id))('rule id %s: only in its module', (id) => {
    expect(writtenOutside(id, [`shared/rules/${id}.ts`])).toEqual([]);
  });

  it.each(ACTIONS.map((action) => [action.action, action] as const))(
    'action %s: only in its module and the rules that plan it',
    (name) => {
      const module = `shared/remediation/actions/${name.replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`)}.ts`;
      // A rule plans an action by name, typed by the action's schema (a wrong shape does not compile).
      const planners = RULES.map((rule) => `shared/rules/${rule.id}.ts`);
      expect(writtenOutside(name, [module, ...planners])).toEqual([]);
    },
  );

  it.each(ACTIONS.flatMap((action) => action.changes.map((change) => [change.kind, action.action] as const)))(
    'change kind %s: only in the module of %s',
    (kind, name) => {
      const module = `shared/remediation/actions/${name.replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`)}.ts`;
      expect(writtenOutside(kind, [module])).toEqual([]);
    },
  );

  it('action and change shapes are defined once: no schema of them outside the action modules', () => {
    const names = ACTIONS.flatMap((action) => [
      action.action,
      ...action.changes.map((change) => change.kind),
    ]);
    const literal = new RegExp(`z\\.literal\\((['"])(${names.join('|')})\\1\\)`);
    const offenders = PRODUCTION.filter(
      (path) => !path.startsWith('shared/remediation/actions/') && literal.test(code(path)),
    );
    expect(offenders).toEqual([]);
  });
});
