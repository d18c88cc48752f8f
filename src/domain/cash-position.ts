/**
 * The cash position of one bank account as the treasury computes it
 * (treasury/cash-position.ts) and the API serves it: the latest statement
 * balance, then per day the owed money and the forecast inflow. Amounts are
 * integers in minor units of the account's currency.
 */
export interface CashPositionDay {
  date: string;
  /** Owed money due that day (pending expected items), minor units. */
  owed: number;
  /** Forecast inflow that day (forecast sales × tender mix × (1 − fee rate), shifted by the lag); marked as forecast. */
  forecast: number;
  /** The forecast inflow's 80 % band (the stores' own 80 % bounds through the same arithmetic). */
  forecastLo80: number;
  forecastHi80: number;
  /** Statement balance plus owed money up to and including this day (no forecast). */
  balance: number | null;
  /** The same with forecast money added. */
  balanceWithForecast: number | null;
}

export interface AccountPosition {
  account: string;
  currency: string;
  /** The latest statement's closing balance, or null when no statement was imported for the account. */
  statement: { amount: number; date: string; statementId: string } | null;
  /** Owed money due on or before the statement date (not yet arrived, still within tolerance): counted on the first day. */
  overdue: { amount: number; items: number };
  /** Items past due plus tolerance: not in the projection. */
  missing: { amount: number; items: number };
  days: CashPositionDay[];
}
