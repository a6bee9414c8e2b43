/**
 * Dependency hygiene: Powertools packages at one version (two versions install two copies of
 * `@aws-lambda-powertools/commons` in every bundle), every dependency pinned exactly.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

describe('dependencies', () => {
  it('declares every Powertools package at the same version', () => {
    const versions = Object.entries(pkg.dependencies)
      .filter(([name]) => name.startsWith('@aws-lambda-powertools/'))
      .map(([, version]) => version);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions).size).toBe(1);
  });

  it('installs one copy of @aws-lambda-powertools/commons', () => {
    const copies = Object.keys(lock.packages).filter((path) =>
      path.endsWith('node_modules/@aws-lambda-powertools/commons'),
    );
    expect(copies).toEqual(['node_modules/@aws-lambda-powertools/commons']);
  });

  it('pins every dependency to an exact version', () => {
    const ranged = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
      ([, version]) => !/^\d+\.\d+\.\d+$/.test(version),
    );
    expect(ranged).toEqual([]);
  });
});
