/**
 * The offset a checkpoint may move to: the end of the last batch such that it and every batch sent
 * before it are confirmed. The publisher confirms batches out of order after a reconnect; a checkpoint
 * that followed the latest confirm could skip a batch still in flight, and a restart would lose it.
 */
export class ContiguousOffsets {
  private confirmedUpTo: number;
  /** End offsets of batches sent and not yet part of the confirmed prefix, in sending order. */
  private readonly pending: Array<{ readonly end: number; confirmed: boolean }> = [];
  private firstTicket = 0;

  constructor(start: number) {
    this.confirmedUpTo = start;
  }

  /** The offset up to which everything is confirmed. */
  get offset(): number {
    return this.confirmedUpTo;
  }

  /** Batches sent and not yet in the confirmed prefix. */
  get outstanding(): number {
    return this.pending.length;
  }

  /** Records a sent batch that ends at `end`; returns its ticket for `confirm`. */
  sent(end: number): number {
    this.pending.push({ end, confirmed: false });
    return this.firstTicket + this.pending.length - 1;
  }

  /** Marks a batch confirmed; returns the new confirmed offset when it moved, else undefined. */
  confirm(ticket: number): number | undefined {
    const entry = this.pending[ticket - this.firstTicket];
    if (!entry) return undefined;
    entry.confirmed = true;
    const before = this.confirmedUpTo;
    while (this.pending[0]?.confirmed === true) {
      this.confirmedUpTo = Math.max(this.confirmedUpTo, this.pending[0].end);
      this.pending.shift();
      this.firstTicket++;
    }
    return this.confirmedUpTo === before ? undefined : this.confirmedUpTo;
  }
}
