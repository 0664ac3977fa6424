/**
 * A source's error as said after its name: "storage: directory … not found" is said "storage check failed:
 * directory … not found", never with the name twice (a local source names itself in its errors).
 */
export function withoutSourceName(name: string, error: string): string {
  return error.startsWith(`${name}: `) ? error.slice(name.length + 2) : error;
}
