import type { UnsettledReason } from '../../../src/domain/settlement.js';
import type { Api } from '../api.js';
import { formatMoney } from '../format.js';
import { useLoad } from '../hooks.js';
import type { Range } from '../query.js';
import { addDays } from '../time.js';
import { loadReconciliation, type StatementsAnswer, type UnsettledAnswer } from '../treasury-api.js';
import { CashPositionPanel } from './CashPosition.js';
import { BreaksPanel } from './TreasuryBreaks.js';
import { FeesPanel } from './TreasuryFees.js';
import { FlowsPanel } from './TreasuryFlows.js';

const UNSETTLED_LABELS: Record<UnsettledReason, string> = {
  no_settlement_setup: 'card and wallet sales of stores without an acquirer in the registry',
  no_bank_account: 'cash of stores without a bank account',
  unknown_acquirer: 'sales of stores whose acquirer the settlement set-up does not define',
  unknown_fee_plan: 'sales of stores whose fee plan the settlement set-up does not define',
  no_fee_rule: 'sales no rule of their fee plan covers',
  fx_rate_missing: 'sales with no FX rate into the payout currency',
  not_settled_tender: 'gift card and other tenders (no money moves to a bank)',
};

/** Reasons that mean the tenant's set-up is missing or incomplete (the rest are expected). */
const SETUP_REASONS: readonly string[] = ['no_settlement_setup', 'no_bank_account', 'unknown_acquirer', 'unknown_fee_plan', 'no_fee_rule', 'fx_rate_missing'];

/**
 * Treasury: expected against arrived money per day and bank account, open
 * breaks with drill-down, fees by brand and acquirer, and the cash position.
 * Dates are banking dates (due, payout and booking dates), the range's days
 * as calendar dates; amounts are in each account's or sale's currency.
 */
export function TreasuryPage(props: { api: Api; range: Range }) {
  const { api, range } = props;
  const params = { from: range.from, to: range.to };
  const recon = useLoad(() => loadReconciliation(api, params), [api, range.from, range.to]);
  return (
    <main class="treasury" aria-labelledby="treasury-title">
      <h1 id="treasury-title">Treasury</h1>
      <p class="muted">
        Money expected on the bank accounts and what the statements booked, {range.from} to {addDays(range.to, -1)} (due, payout and booking dates). Amounts are in the currency of each account or sale, to the minor unit.
      </p>
      <Notices api={api} />
      <FlowsPanel recon={recon} range={range} />
      <BreaksPanel api={api} range={range} recon={recon.data} />
      <FeesPanel api={api} range={range} />
      <CashPositionPanel api={api} />
    </main>
  );
}

/** What makes the page empty, said plainly: no settlement set-up, no statements, unsettled sales. */
function Notices(props: { api: Api }) {
  const { api } = props;
  const state = useLoad(async () => {
    const [statements, payouts, deposits, unsettled] = await Promise.all([
      api.get<StatementsAnswer>('/v1/treasury/statements'),
      api.get<{ total: number }>('/v1/treasury/payouts', { limit: 1 }),
      api.get<{ total: number }>('/v1/treasury/deposits', { limit: 1 }),
      api.get<UnsettledAnswer>('/v1/treasury/unsettled', { limit: 1 }),
    ]);
    return { statements: statements.statements.length, expected: payouts.total + deposits.total, unsettled: unsettled.totals };
  }, [api]);
  const s = state.data;
  if (state.error !== undefined) {
    return (
      <p class="error" role="alert">
        {state.error.message}
      </p>
    );
  }
  if (s === undefined) return null;
  const reasons = Object.entries(s.unsettled);
  const setup = reasons.filter(([r]) => SETUP_REASONS.includes(r));
  const other = reasons.filter(([r]) => !SETUP_REASONS.includes(r));
  const list = (rs: [string, Record<string, number>][]) => (
    <ul>
      {rs.map(([reason, byCurrency]) => (
        <li key={reason} data-reason={reason}>
          <code>{reason}</code>: {UNSETTLED_LABELS[reason as UnsettledReason] ?? reason} —{' '}
          {Object.entries(byCurrency)
            .map(([c, v]) => formatMoney(v, c))
            .join(', ')}
        </li>
      ))}
    </ul>
  );
  return (
    <div class="notices" data-testid="treasury-notices">
      {setup.length > 0 && (
        <div class="notice" data-notice="setup">
          <p>
            <strong>{s.expected === 0 ? 'No settlement set-up.' : 'The settlement set-up is incomplete.'}</strong> These sales lead to no expected payout or deposit until the registry names each store's acquirer, merchant account, fee plan and bank account, and the tenant's settlement set-up defines those acquirers and fee plans (docs/treasury.md):
          </p>
          {list(setup)}
        </div>
      )}
      {s.expected === 0 && setup.length === 0 && (
        <p class="notice" data-notice="no-expected-money">
          <strong>No expected money yet.</strong> No card, wallet or cash sale of a store with a settlement set-up has been received.
        </p>
      )}
      {s.statements === 0 && (
        <p class="notice" data-notice="no-statements">
          <strong>No bank statement imported yet.</strong> Nothing can be matched: expected money shows as pending or missing, and no account has a balance. Statements come in through <code>POST /v1/statements</code> or <code>tpay statements import</code> (camt.053, MT940, CSV).
        </p>
      )}
      {other.length > 0 && (
        <details class="notice" data-notice="unsettled">
          <summary>Sales that move no money to a bank</summary>
          {list(other)}
        </details>
      )}
    </div>
  );
}
