/**
 * A minimal client of our TCP ingest protocol for tests: it authenticates,
 * writes lines, and collects every answer line (keeping running totals so
 * waiting on a large stream stays linear).
 */
import { connect, type Socket } from 'node:net';

export interface Answer {
  type: string;
  [k: string]: unknown;
}

interface Ack {
  type: 'ack';
  through: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}
interface Reject {
  type: 'reject';
  line: number;
  code: string;
  message: string;
}

export class TestIngestClient {
  readonly answers: Answer[] = [];
  private readonly ackList: Ack[] = [];
  private readonly rejectList: Reject[] = [];
  private readonly sums = { accepted: 0, duplicates: 0, rejected: 0 };
  private through = 0;
  private tail = '';
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      const parts = (this.tail + d).split('\n');
      this.tail = parts.pop()!;
      for (const p of parts) this.onAnswer(JSON.parse(p) as Answer);
      this.check();
    });
    socket.on('close', () => {
      this.closed = true;
      this.check();
    });
    socket.on('error', () => undefined);
  }

  private onAnswer(a: Answer): void {
    if (a.type === 'ack') {
      const ack = a as unknown as Ack;
      this.ackList.push(ack);
      this.through = ack.through;
      this.sums.accepted += ack.accepted;
      this.sums.duplicates += ack.duplicates;
      this.sums.rejected += ack.rejected;
      if (this.ackList.length > 100_000) this.ackList.shift();
    } else if (a.type === 'reject') {
      if (this.rejectList.length < 100_000) this.rejectList.push(a as unknown as Reject);
    } else this.answers.push(a);
  }

  static async connect(port: number, key?: string): Promise<TestIngestClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((res, rej) => {
      socket.once('connect', res);
      socket.once('error', rej);
    });
    const c = new TestIngestClient(socket);
    if (key !== undefined) {
      socket.write(`AUTH ${key}\n`);
      await c.waitFor(() => c.answers.length > 0 || c.closed);
    }
    return c;
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.pred()) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; acked through ${this.through}, other answers: ${JSON.stringify(this.answers.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  /** Resolves when an ack covers `line`. */
  waitForAck(line: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.through >= line, timeoutMs);
  }

  acks(): readonly Ack[] {
    return this.ackList;
  }

  rejects(): readonly Reject[] {
    return this.rejectList;
  }

  totals(): { accepted: number; duplicates: number; rejected: number } {
    return { ...this.sums };
  }

  write(data: string | Buffer): boolean {
    return this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }
}
