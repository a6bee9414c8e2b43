/**
 * What the rule and fix-action registries share: values derived from a registry (schemas,
 * tables) that are rebuilt when something is registered after they were built, and zod schemas
 * that validate against the registry as it is at parse time.
 */
import { z } from 'zod';

/** A registry's version: bumped on every registration, so derived values know to rebuild. */
export class RegistryVersion {
  private version = 0;

  bump(): void {
    this.version++;
  }

  /**
   * A value built from the registry, rebuilt when the registry changed since it was built. The
   * registries change only at start-up, so it is built once in practice.
   *
   * @example
   * const idSchema = version.derived(() => z.enum(ids));
   */
  derived<T>(build: () => T): () => T {
    let built: { readonly version: number; readonly value: T } | undefined;
    return () => {
      if (built?.version !== this.version) built = { version: this.version, value: build() };
      return built.value;
    };
  }
}

/**
 * A schema that parses with whatever schema `current` returns at parse time (a schema derived
 * from a registry), reporting that schema's problems at this schema's place in the document.
 *
 * @example
 * const ruleIdSchema = dynamicSchema(() => z.enum(RULE_IDS));
 */
export function dynamicSchema<T>(current: () => z.ZodType<T>): z.ZodType<T> {
  return z.unknown().transform((value, context): T => {
    const result = current().safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      context.addIssue({ ...issue } as Parameters<typeof context.addIssue>[0]);
    }
    return z.NEVER;
  }) as unknown as z.ZodType<T>;
}
