/**
 * XML names on bytes, for the byte scanner: which bytes may start or
 * continue a name, a name → index table looked up by a hash taken while
 * scanning (no string per tag), and byte compares.
 */

/** Names → their index in the caller's list, looked up by a hash taken while scanning and compared on the bytes. */
export class NameIds {
  private readonly slots = new Int16Array(NAME_SLOTS).fill(-1);
  constructor(private readonly names: readonly string[]) {
    names.forEach((name, id) => {
      let h = 0;
      for (let k = 0; k < name.length; k++) h = (Math.imul(h, 31) + name.charCodeAt(k)) | 0;
      let s = h & (NAME_SLOTS - 1);
      while (this.slots[s] !== -1) s = (s + 1) & (NAME_SLOTS - 1);
      this.slots[s] = id;
    });
  }

  /** The index of `b[from, to)` (hash `h`) in the list, or -1. */
  of(b: Uint8Array, from: number, to: number, h: number): number {
    for (let s = h & (NAME_SLOTS - 1); ; s = (s + 1) & (NAME_SLOTS - 1)) {
      const id = this.slots[s]!;
      if (id === -1) return -1;
      if (equalsAscii(b, from, to, this.names[id]!)) return id;
    }
  }
}

/** Slots of the name table: a power of two, several times the names a camt reader asks for. */
const NAME_SLOTS = 256;

function table(pred: (c: number) => boolean): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, c) => (pred(c) ? 1 : 0));
}

const isStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c > 0x7f;
/** XML name characters, on bytes: any byte of a multi-byte UTF-8 letter counts (as the string scanner counted any non-ASCII char). */
export const NAME_START = table(isStart);
export const NAME_CHAR = table((c) => isStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e);

export function equalsAscii(b: Uint8Array, from: number, to: number, s: string): boolean {
  if (to - from !== s.length) return false;
  for (let k = 0; k < s.length; k++) if (b[from + k] !== s.charCodeAt(k)) return false;
  return true;
}

export function equalBytes(b: Uint8Array, af: number, at: number, bf: number, bt: number): boolean {
  if (at - af !== bt - bf) return false;
  for (let k = 0; k < at - af; k++) if (b[af + k] !== b[bf + k]) return false;
  return true;
}

export function startsWithAscii(b: Uint8Array, at: number, s: string): boolean {
  return at + s.length <= b.length && equalsAscii(b, at, at + s.length, s);
}

export function indexOfAscii(b: Uint8Array, s: string, from: number): number {
  for (let i = b.indexOf(s.charCodeAt(0), from); i !== -1; i = b.indexOf(s.charCodeAt(0), i + 1)) if (startsWithAscii(b, i, s)) return i;
  return -1;
}
