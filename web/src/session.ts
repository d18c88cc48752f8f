/**
 * The read key lives in sessionStorage: it survives a reload of the tab
 * and is gone when the browser session ends or the user signs out.
 */
const KEY = 'tpay.readKey';

export function savedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
