/**
 * A store in a tenant's registry. `store_id` is unique within the tenant.
 * Settlement fields name the set-up used by banking (acquirer, merchant
 * account, bank account, fee plan); each is null when the registry does not
 * give it, and the store's sales are then reported as unsettled, never
 * guessed (docs/treasury.md).
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
  acquirer: string | null;
  merchant_account: string | null;
  /** Where payouts and cash deposits land; may be set without an acquirer (cash only). */
  bank_account: string | null;
  fee_plan: string | null;
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

/** The settlement columns: optional, in a registry file and in a store. */
export const SETTLEMENT_FIELDS = ['acquirer', 'merchant_account', 'bank_account', 'fee_plan'] as const satisfies readonly (keyof Store)[];
export type SettlementField = (typeof SETTLEMENT_FIELDS)[number];

/** Fields a registry must always give. */
export const REQUIRED_STORE_FIELDS = STORE_FIELDS.filter((f): f is Exclude<(typeof STORE_FIELDS)[number], SettlementField> => !(SETTLEMENT_FIELDS as readonly string[]).includes(f));
