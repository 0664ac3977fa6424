import { it } from 'vitest';
import { BigQuery } from '@google-cloud/bigquery';
import { startFakeBigQuery } from './support/fake-bigquery-server.js';

it('explore', async () => {
  const fake = await startFakeBigQuery({ project: 'p', dataset: 'd', table: 't', rows: ['2024-01-01','2024-01-02','2024-01-03','2024-01-04','2024-01-05'], pageSize: 2, incompletePolls: 2 });
  const bq = new BigQuery({ projectId: 'p', apiEndpoint: fake.url, retryOptions: { maxRetries: 1, maxRetryDelay: 0.2 } });
  let t0 = Date.now();
  const [md] = await bq.dataset('d', { projectId: 'p' }).table('t').getMetadata();
  console.log('md', Date.now() - t0, JSON.stringify(md).slice(0, 100));
  const [job, resp] = await bq.createQueryJob({ query: 'SELECT DISTINCT x AS key FROM `p.d.t` WHERE d >= @since', params: { since: '2024-01-02' }, types: { since: 'DATE' }, dryRun: true });
  console.log('dry', JSON.stringify(resp).slice(0, 300));
  const r = await bq.query({ query: 'SELECT DISTINCT x AS key FROM `p.d.t` WHERE d >= @since', params: { since: '2024-01-02' }, types: { since: 'DATE' } }, { autoPaginate: false });
  console.log('q1', JSON.stringify(r).slice(0, 500));
  const all = await bq.query({ query: 'SELECT 1', location: 'US' });
  console.log('all', JSON.stringify(all[0]));
  console.log(fake.requests.map((x) => `${x.call} ${x.query} auth=${x.authorization}`).join('\n'));
  for (const f of [{ status: 401 }, { status: 403 }, { status: 404 }, { status: 500 }, 'garbage'] as const) {
    fake.setFault(f as any);
    t0 = Date.now();
    try { await bq.query('SELECT 1'); console.log('no error?!'); } catch (e: any) { console.log(JSON.stringify(f), Date.now() - t0, e.constructor.name, e.code, e.message, JSON.stringify(e.errors)); }
    try { const m = await bq.dataset('d').table('t').getMetadata(); console.log('md ok', JSON.stringify(m[0]).slice(0,80)); } catch (e: any) { console.log('md', e.constructor.name, e.code, e.message); }
  }
  await fake.close();
});
