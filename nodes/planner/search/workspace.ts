/**
 * Per-node search state on typed arrays, reused between queries (a generation stamp marks what
 * belongs to the current query, so nothing is cleared per query), and a binary min-heap of node
 * indices with decrease-key, ordered by f then by larger g.
 */
export class SearchWorkspace {
  capacity = 0;
  g = new Float64Array(0);
  f = new Float64Array(0);
  parent = new Int32Array(0);
  /** Generation at which g/f/parent were set this query. */
  seen = new Uint32Array(0);
  /** Generation at which the node was closed. */
  closed = new Uint32Array(0);
  /** Position in the heap, valid while seen === generation and not closed. */
  heapPos = new Int32Array(0);
  heap = new Int32Array(0);
  /** f and g of heap[i], kept beside it so comparisons stay in the heap's memory. */
  heapF = new Float64Array(0);
  heapG = new Float64Array(0);
  size = 0;
  generation = 0;

  /** Starts a query over `n` nodes. */
  begin(n: number): void {
    if (n > this.capacity) {
      this.capacity = n;
      this.g = new Float64Array(n);
      this.f = new Float64Array(n);
      this.parent = new Int32Array(n);
      this.seen = new Uint32Array(n);
      this.closed = new Uint32Array(n);
      this.heapPos = new Int32Array(n);
      this.heap = new Int32Array(n);
      this.heapF = new Float64Array(n);
      this.heapG = new Float64Array(n);
      this.generation = 0;
    }
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.seen.fill(0);
      this.closed.fill(0);
      this.generation = 1;
    }
    this.size = 0;
  }

  push(node: number): void {
    const i = this.size++;
    this.up(i, node, this.f[node]!, this.g[node]!);
  }

  /** Restores order after node's f decreased (g and f already updated). */
  decreased(node: number): void {
    this.up(this.heapPos[node]!, node, this.f[node]!, this.g[node]!);
  }

  pop(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const n = --this.size;
    if (n > 0) this.down(heap[n]!, this.heapF[n]!, this.heapG[n]!);
    return top;
  }

  /** Sifts (node, f, g) up from slot i. Order: smaller f, ties to larger g (deeper first). */
  private up(i: number, node: number, f: number, g: number): void {
    const heap = this.heap;
    const hf = this.heapF;
    const hg = this.heapG;
    const pos = this.heapPos;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pf = hf[p]!;
      if (pf < f || (pf === f && hg[p]! >= g)) break;
      const pn = heap[p]!;
      heap[i] = pn;
      hf[i] = pf;
      hg[i] = hg[p]!;
      pos[pn] = i;
      i = p;
    }
    heap[i] = node;
    hf[i] = f;
    hg[i] = g;
    pos[node] = i;
  }

  /** Sifts (node, f, g) down from the root. */
  private down(node: number, f: number, g: number): void {
    const heap = this.heap;
    const hf = this.heapF;
    const hg = this.heapG;
    const pos = this.heapPos;
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cf = hf[c]!;
      let cg = hg[c]!;
      const c2 = c + 1;
      if (c2 < n) {
        const f2 = hf[c2]!;
        if (f2 < cf || (f2 === cf && hg[c2]! > cg)) {
          c = c2;
          cf = f2;
          cg = hg[c2]!;
        }
      }
      if (f < cf || (f === cf && g >= cg)) break;
      const cn = heap[c]!;
      heap[i] = cn;
      hf[i] = cf;
      hg[i] = cg;
      pos[cn] = i;
      i = c;
    }
    heap[i] = node;
    hf[i] = f;
    hg[i] = g;
    pos[node] = i;
  }

  /** Parent chain from `goal` back to the start, as indices start → goal. */
  reconstruct(goal: number): number[] {
    const out: number[] = [];
    for (let n = goal; n >= 0; n = this.parent[n]!) out.push(n);
    return out.reverse();
  }
}
