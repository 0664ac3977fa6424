import path from 'node:path';
import * as z from 'zod';
import { expectedSchema, storageSchema, targetsSchema, warehouseSchema } from '../config-schema.js';
import { issueLines } from '../config-issues.js';
import { checkStorage, ConfigError, type Config } from '../config-base.js';

const stageSchema = z
  .object({
    /** The operator's name for the stage, e.g. "Phase 2"; what `missing --from` and `status --stage` take. */
    name: z.string().min(1),
    storage: storageSchema.optional(),
    warehouse: warehouseSchema.optional(),
    /** The stage that feeds this one; default: the stage listed before it. */
    after: z.string().min(1).optional(),
  })
  .strict();

/** `chain` in the config: ordered stages, each a coverage source for the same expected keys. */
export const chainSchema = z
  .object({
    expected: z.union([z.string().min(1), expectedSchema]),
    targets: targetsSchema.optional(),
    stages: z.array(stageSchema).min(1),
  })
  .strict();

export type StorageConfig = NonNullable<Config['storage']>;
export type WarehouseConfig = NonNullable<Config['warehouse']>;

/** One stage of the phase chain, paths absolute; exactly one of `storage` and `warehouse` is set. */
export interface ChainStage {
  name: string;
  storage: StorageConfig | null;
  warehouse: WarehouseConfig | null;
  /** Name of the stage feeding this one; null for the first. */
  after: string | null;
}

/** The phase chain (scrape → raw → analytics → …), every stage measured against `expected`. */
export interface ChainConfig {
  expected: NonNullable<Config['expected']>;
  targets: number[];
  stages: ChainStage[];
}

/**
 * Validates and resolves `chain`: relative paths against `baseDir`, stage names unique, `after` naming an
 * earlier stage. `defaults` (a jobs config's shared settings) fill in targets and source settings.
 */
export function resolveChain(raw: unknown, ctx: { where: string; baseDir: string; defaults?: Record<string, unknown>; merge: (a: unknown, b: unknown) => unknown }): ChainConfig {
  const d = ctx.defaults ?? {};
  const withDefaults =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? {
          targets: d.targets,
          ...(raw as Record<string, unknown>),
          stages: Array.isArray((raw as { stages?: unknown }).stages)
            ? ((raw as { stages: unknown[] }).stages.map((s) => stageWithDefaults(s, d, ctx.merge)))
            : (raw as { stages?: unknown }).stages,
        }
      : raw;
  const result = chainSchema.safeParse(withDefaults);
  if (!result.success) {
    const lines = issueLines(result.error.issues, ['chain'], '(top level)', { raw: withDefaults });
    throw new ConfigError(`${ctx.where}: invalid config\n${lines.join('\n')}`);
  }
  const c = result.data;
  const abs = (p: string) => path.resolve(ctx.baseDir, p);
  const fail = (msg: string) => {
    throw new ConfigError(`${ctx.where}: invalid config\n  ${msg}`);
  };
  const seen = new Set<string>();
  const stages: ChainStage[] = c.stages.map((s, i) => {
    const field = `chain.stages.${i}`;
    if (seen.has(s.name)) fail(`${field}.name: "${s.name}" names two stages; stage names must be unique`);
    if (!s.storage === !s.warehouse) fail(`${field} (${s.name}): give exactly one of storage and warehouse`);
    const after = s.after ?? (i > 0 ? c.stages[i - 1].name : null);
    if (s.after !== undefined && !seen.has(s.after)) {
      fail(`${field}.after: "${s.after}" is not a stage listed before "${s.name}" (stages: ${c.stages.map((x) => x.name).join(', ')})`);
    }
    seen.add(s.name);
    checkStorage(s.storage, (f, message) => new ConfigError(`${ctx.where}: invalid config\n  ${field}.${f}: ${message}`));
    return {
      name: s.name,
      after,
      storage: s.storage ? { ...s.storage, url: /^gs:\/\//.test(s.storage.url) ? s.storage.url : abs(s.storage.url) } : null,
      warehouse: s.warehouse ? { ...s.warehouse, dir: s.warehouse.dir ? abs(s.warehouse.dir) : undefined } : null,
    };
  });
  const expected = typeof c.expected === 'string' ? { file: abs(c.expected) } : { ...c.expected, file: abs(c.expected.file) };
  return { expected, targets: c.targets ?? [95, 98, 100], stages };
}

/** A stage's storage/warehouse settings over the jobs' shared ones (endpoints, projects, poll intervals). */
function stageWithDefaults(stage: unknown, defaults: Record<string, unknown>, merge: (a: unknown, b: unknown) => unknown): unknown {
  if (!stage || typeof stage !== 'object') return stage;
  const s = { ...(stage as Record<string, unknown>) };
  for (const kind of ['storage', 'warehouse'] as const) {
    if (s[kind] && defaults[kind]) s[kind] = merge(defaults[kind], s[kind]);
  }
  return s;
}
