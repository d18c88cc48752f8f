/**
 * A store in a tenant's registry. `store_id` is unique within the tenant.
 * Settlement fields name the set-up used by banking (acquirer, merchant
 * account, bank account, fee plan).
 */
export interface Store {
  store_id: string;
  name: string;
  lat: number;
  lon: number;
  /** ISO 3166-1 alpha-2. */
  country: string;
  region: string;
  city: string;
  /** IANA time zone name, e.g. `Asia/Kolkata`. */
  timezone: string;
  /** ISO 4217 code of the store's local currency. */
  currency: string;
  acquirer: string;
  merchant_account: string;
  bank_account: string;
  fee_plan: string;
}

/** The registry columns, in their CSV order. */
export const STORE_FIELDS = [
  'store_id',
  'name',
  'lat',
  'lon',
  'country',
  'region',
  'city',
  'timezone',
  'currency',
  'acquirer',
  'merchant_account',
  'bank_account',
  'fee_plan',
] as const satisfies readonly (keyof Store)[];
