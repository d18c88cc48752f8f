/**
 * The stream's view of the tenants: a tenant another process created a
 * moment ago is found at once, not after the next periodic refresh (its
 * records are already accepted; calling it unknown would drop them).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TenantDirectory } from '../../src/stream/tenant-directory.js';
import { FxStore } from '../../src/tenants/fx-store.js';
import { RegistryStore } from '../../src/tenants/registry-store.js';
import { TenantStore } from '../../src/tenants/tenant-store.js';
import { tempDir } from '../support/temp-dir.js';

describe('tenant directory', () => {
  it('finds a tenant created by another process since its last refresh', async () => {
    await using dir = tempDir();
    new TenantStore(dir.path).createTenant({ id: 'old', reportingCurrency: 'EUR' });
    const directory = new TenantDirectory(new TenantStore(dir.path), new RegistryStore(dir.path), new FxStore(dir.path));
    assert.equal(directory.get('old')?.settings.reportingCurrency, 'EUR');
    assert.equal(directory.get('new'), undefined);

    new TenantStore(dir.path).createTenant({ id: 'new', reportingCurrency: 'USD', businessDayCutoff: '04:00' });
    const view = directory.get('new');
    assert.deepEqual(view?.settings, { reportingCurrency: 'USD', cutoffMinutes: 240 });
    assert.equal(directory.get('nobody'), undefined);
  });
});
