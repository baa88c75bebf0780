/**
 * The part of validate.ts's Reader that the section readers in their own
 * files use (validate-routes.ts, validate-vmac.ts), as an interface: they
 * take the Reader without importing validate.ts, which imports them.
 */
export interface FieldReader {
  readonly errors: readonly { readonly path: string; readonly message: string }[];
  fail(path: string, message: string): undefined;
  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> | undefined;
  integer(value: unknown, path: string, min: number, max: number): number | undefined;
  string(value: unknown, path: string): string | undefined;
  boolean(value: unknown, path: string): boolean | undefined;
  list(value: unknown, path: string): readonly unknown[] | undefined;
}
