import { ConfigError } from '../config.js';
import type { JobRegistry } from '../jobs/registry.js';
import { runDashboard } from './dashboard.js';

/** The dashboard for the registry: one job's screen, or the overview of several. */
export async function runPlatformDashboard(registry: JobRegistry, opts: { color: boolean }): Promise<number> {
  if (!registry.multi) return runDashboard(registry.jobs[0], opts);
  throw new ConfigError(`${registry.file}: lists ${registry.jobs.length} jobs: open one with --job NAME (jobs: ${registry.jobs.map((j) => j.job).join(', ')})`);
}
