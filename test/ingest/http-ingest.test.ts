import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { seedTenants, txnLine } from '../support/fixtures.js';
import { startService } from '../support/service.js';
import { tempDir } from '../support/temp-dir.js';

async function post(url: string, body: string, key?: string): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
  const res = await fetch(`${url}/v1/transactions`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

describe('HTTP ingest', () => {
  it('answers with accepted, duplicates and rejected lines counted from 1', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const body = [txnLine({ seq: 1 }), txnLine({ seq: 2, tax_minor: 99999 }), txnLine({ seq: 1 }), '[1,2]', txnLine({ seq: 3 })].join('\n') + '\n';
    const r = await post(s.http, body, acme.ingestKey);
    assert.equal(r.status, 200);
    const j = r.json as { accepted: number; duplicates: number; rejected: { line: number; code: string; message: string }[] };
    assert.equal(j.accepted, 2);
    assert.equal(j.duplicates, 1);
    assert.deepEqual(j.rejected.map((x) => [x.line, x.code]), [
      [2, 'invalid_value'],
      [4, 'not_an_object'],
    ]);
    assert.match(j.rejected[0]!.message, /tax_minor/);
    // The same body again: everything valid is now a duplicate.
    const again = await post(s.http, body, acme.ingestKey);
    assert.deepEqual([(again.json as { accepted: number }).accepted, (again.json as { duplicates: number }).duplicates], [0, 3]);
  });

  it('a last line without a newline still counts', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const r = await post(s.http, `${txnLine({ seq: 7 })}\n${txnLine({ seq: 8 })}`, acme.ingestKey);
    assert.deepEqual(r.json, { accepted: 2, duplicates: 0, rejected: [] });
  });

  it('401 without a key or with a wrong one, 413 over the body limit', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path, { 'ingest.httpBodyLimitBytes': 4096 });
    const none = await post(s.http, txnLine());
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { error: { code: 'unauthorized', message: 'missing Authorization: Bearer <key> header' } });
    const wrong = await post(s.http, txnLine(), 'tpk_ingest_wrong');
    assert.equal(wrong.status, 401);
    assert.equal((wrong.json as { error: { code: string } }).error.code, 'unauthorized');
    const read = await post(s.http, txnLine(), acme.readKey);
    assert.equal(read.status, 401);
    const big = await post(s.http, `${txnLine()}\n`.repeat(40), acme.ingestKey);
    assert.equal(big.status, 413);
    assert.deepEqual(big.json, { error: { code: 'body_too_large', message: 'request body is over the 4096-byte limit' } });
  });

  it('the tenant comes from the key: a record naming another tenant is rejected', async () => {
    await using dir = tempDir();
    const { acme, globex } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    const line = JSON.stringify({ ...JSON.parse(txnLine({ seq: 1 })), tenant: 'globex' });
    const r = await post(s.http, line, acme.ingestKey);
    assert.deepEqual((r.json as { rejected: { code: string }[] }).rejected.map((x) => x.code), ['tenant_mismatch']);
    // globex's key cannot write to acme's stores either.
    const g = await post(s.http, txnLine({ seq: 1 }), globex.ingestKey);
    assert.deepEqual((g.json as { rejected: { code: string }[] }).rejected.map((x) => x.code), ['unknown_store']);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    await using dir = tempDir();
    const { acme } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    await post(s.http, `${txnLine({ seq: 1 })}\n{bad\n`, acme.ingestKey);
    assert.deepEqual(await (await fetch(`${s.http}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${s.http}/readyz`)).json(), { status: 'ready' });
    const text = await (await fetch(`${s.http}/metrics`)).text();
    assert.match(text, /^tpay_ingest_accepted_total 1$/m);
    assert.match(text, /^tpay_ingest_rejected_total\{code="invalid_json"\} 1$/m);
  });

  it('lists a tenant\'s dead letters to its read key only', async () => {
    await using dir = tempDir();
    const { acme, globex } = seedTenants(dir.path);
    await using s = await startService(dir.path);
    await post(s.http, '{bad\n', acme.ingestKey);
    const mine = await fetch(`${s.http}/v1/dead-letters?status=all`, { headers: { authorization: `Bearer ${acme.readKey}` } });
    const items = ((await mine.json()) as { items: { code: string; raw: string; tenant: string }[] }).items;
    assert.deepEqual(items.map((d) => [d.tenant, d.code, d.raw]), [['acme', 'invalid_json', '{bad']]);
    const theirs = await fetch(`${s.http}/v1/dead-letters?status=all`, { headers: { authorization: `Bearer ${globex.readKey}` } });
    assert.deepEqual(await theirs.json(), { items: [] });
  });
});
