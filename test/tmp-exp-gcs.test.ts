import { test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { startFakeGcs } from './support/fake-gcs-server.js';

test('exp', async () => {
  const names = Array.from({ length: 5 }, (_, i) => `p/k${i}/a.json`);
  const fake = await startFakeGcs({ bucket: 'b', objects: names });
  process.env.HOME = mkdtempSync(join(tmpdir(), 'noadc-'));
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  fake.setFault({ status: 401 });
  const st = new Storage({ projectId: 'x', apiEndpoint: fake.url, useAuthWithCustomEndpoint: true, retryOptions: { maxRetries: 2, maxRetryDelay: 0.02 } });
  const t0 = Date.now();
  try { await st.bucket('b').getFiles({ autoPaginate: false }); console.log('no error'); } catch (e: any) { console.log('noadc', e.constructor.name, e.code, e.message, Date.now() - t0); }
  fake.setFault(null);
  try { const r = await st.bucket('b').getFiles({ autoPaginate: false, delimiter: '/', prefix: 'p/' }); console.log('noadc no fault', r[2]); } catch (e: any) { console.log('noadc2', e.code, e.message); }
  process.env.STORAGE_EMULATOR_HOST = fake.url + '/storage/v1';
  const before = fake.requests;
  const st3 = new Storage({ projectId: 'x' });
  const r = await st3.bucket('b').getFiles({ autoPaginate: false, delimiter: '/', prefix: 'p/' });
  console.log('emulator host', fake.requests - before, (r[2] as any).prefixes.length);
  process.env.STORAGE_EMULATOR_HOST = fake.url;
  try { await new Storage({ projectId: 'x' }).bucket('b').getFiles({ autoPaginate: false }); console.log('emul without /storage/v1 ok?'); } catch (e: any) { console.log('emul without path', e.code, e.message); }
  delete process.env.STORAGE_EMULATOR_HOST;
  fake.setFault({ status: 500 });
  const st4 = new Storage({ projectId: 'x', apiEndpoint: fake.url, retryOptions: { maxRetries: 5, maxRetryDelay: 0.05, totalTimeout: 0.1 } });
  const p = st4.bucket('b').getFiles({ autoPaginate: false }).then(() => 'ok', (e) => 'err ' + e.code);
  const res = await Promise.race([p, new Promise((r) => setTimeout(() => r('HUNG (3s)'), 3000))]);
  console.log('totalTimeout exceeded ->', res, 'requests', fake.requests);
  await fake.close();
});
