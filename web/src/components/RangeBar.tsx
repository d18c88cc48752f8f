import { useMemo, useState } from 'preact/hooks';
import { PRESETS, presetRange, type Range } from '../query.js';
import { addDays, isZone, knownZones } from '../time.js';

/**
 * Range presets or two dates, and the time zone every panel's buckets are
 * named in. Without `zones` (treasury: banking dates are calendar dates of
 * the bank, not of a zone) the time zone is not offered.
 */
export function RangeBar(props: { range: Range; onChange: (r: Range) => void; zones?: boolean }) {
  const r = props.range;
  const zones = useMemo(knownZones, []);
  const [zoneText, setZoneText] = useState(r.tz === 'store' || r.tz === 'UTC' ? '' : r.tz);
  const [zoneError, setZoneError] = useState<string | null>(null);
  const mode = r.tz === 'store' || r.tz === 'UTC' ? r.tz : 'zone';
  const preset = PRESETS.find((p) => {
    const x = presetRange(p.days, r.tz);
    return x.from === r.from && x.to === r.to;
  });
  const lastDay = addDays(r.to, -1);

  const applyZone = (z: string): void => {
    if (!isZone(z)) {
      setZoneError(`'${z}' is not a time zone this browser knows (e.g. Asia/Kolkata)`);
      return;
    }
    setZoneError(null);
    props.onChange({ ...r, tz: z });
  };

  return (
    <form class="rangebar" aria-label="Range and time zone" onSubmit={(e) => e.preventDefault()}>
      <label>
        Range{' '}
        <select data-testid="range-preset" value={preset?.id ?? 'custom'} onChange={(e) => {
          const p = PRESETS.find((x) => x.id === e.currentTarget.value);
          if (p !== undefined) props.onChange(presetRange(p.days, r.tz));
        }}>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom</option>
        </select>
      </label>
      <label>
        From <input type="date" value={r.from} max={lastDay} onChange={(e) => e.currentTarget.value !== '' && props.onChange({ ...r, from: e.currentTarget.value })} />
      </label>
      <label>
        To (inclusive) <input type="date" value={lastDay} min={r.from} onChange={(e) => e.currentTarget.value !== '' && props.onChange({ ...r, to: addDays(e.currentTarget.value, 1) })} />
      </label>
      {props.zones !== false && (
        <fieldset class="tz">
          <legend>Time zone</legend>
          <label>
            <input type="radio" name="tz" checked={mode === 'store'} onChange={() => props.onChange({ ...r, tz: 'store' })} /> Store's own
          </label>
          <label>
            <input type="radio" name="tz" checked={mode === 'UTC'} onChange={() => props.onChange({ ...r, tz: 'UTC' })} /> UTC
          </label>
          <label>
            <input type="radio" name="tz" checked={mode === 'zone'} onChange={() => zoneText !== '' && applyZone(zoneText)} /> Zone
          </label>
          <input aria-label="IANA time zone" list="zones" placeholder="e.g. Asia/Kolkata" value={zoneText} onInput={(e) => setZoneText(e.currentTarget.value)} onChange={(e) => e.currentTarget.value !== '' && applyZone(e.currentTarget.value)} aria-invalid={zoneError !== null} />
          <datalist id="zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {zoneError !== null && (
            <span class="error" role="alert">
              {zoneError}
            </span>
          )}
        </fieldset>
      )}
    </form>
  );
}
