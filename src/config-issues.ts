import type { z } from 'zod';

/**
 * One line per problem zod found in a config, `  FIELD: message`, each field its full path from `prefix` on:
 * an unknown setting is named by its own path (`storage.pollSecs: unknown setting`), not only by its parent's.
 */
export function issueLines(issues: z.ZodError['issues'], prefix: string[] = [], top = '(top level)'): string[] {
  const name = (path: PropertyKey[]) => (path.length ? [...prefix, ...path.map(String)].join('.') : prefix.length ? prefix.join('.') : top);
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `  ${name([...issue.path, key])}: unknown setting`) : [`  ${name(issue.path)}: ${issue.message}`],
  );
}
