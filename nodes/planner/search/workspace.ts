/**
 * Per-node search state on typed arrays, reused between queries, and the open list: a binary
 * min-heap of node indices with decrease-key, ordered by f then by larger g, in front of which a
 * stack takes every node added with f equal to the least f on the list (`front`).
 *
 * With a consistent heuristic and exact costs (see types.exactCostBits) no node is ever added
 * below `front`, and in open space many nodes keep their parent's f (on being reached, or when a
 * better path lowers their f to `front`), so they go through the stack in O(1) and the heap
 * holds the rest. Stack nodes pop last-in first-out (the deepest first, as the heap's
 * tie-break), before the heap.
 *
 * A generation stamp marks what belongs to the current query, so nothing is cleared per query:
 * a node's stamp is `open` once it has a g this query, `closed` once it was taken off the heap.
 * Each query takes two stamps.
 */
export class SearchWorkspace {
  capacity = 0;
  /**
   * One 16-byte record per node so a neighbour test touches one cache line: as Float64 `g` at
   * [2n]; as Int32 (`rec32`, same memory) the stamp at [4n + 2] and the parent at [4n + 3].
   */
  rec = new Float64Array(0);
  rec32 = new Int32Array(0);
  /** Position in the heap, valid while the stamp is `open`. */
  heapPos = new Int32Array(0);
  heap = new Int32Array(0);
  /** f and g of heap[i], kept beside it so comparisons stay in the heap's memory. */
  heapF = new Float64Array(0);
  heapG = new Float64Array(0);
  size = 0;
  /** Open nodes with f === front, popped before the heap. */
  stack = new Int32Array(0);
  stackSize = 0;
  /** The f of the last node popped: the least f on the open list. */
  front = 0;
  /** The stamps of the current query (closed = open + 1); anything else = not reached this query. */
  open = 0;
  closed = 1;

  /** Starts a query over `n` nodes. */
  begin(n: number): void {
    if (n > this.capacity) {
      this.capacity = n;
      this.rec = new Float64Array(2 * n);
      this.rec32 = new Int32Array(this.rec.buffer);
      this.heapPos = new Int32Array(n);
      this.heap = new Int32Array(n);
      this.heapF = new Float64Array(n);
      this.heapG = new Float64Array(n);
      this.stack = new Int32Array(n);
      this.open = 0;
    }
    this.open += 2;
    if (this.open >= 0x7ffffff0) {
      this.rec.fill(0);
      this.open = 2;
    }
    this.closed = this.open + 1;
    this.size = 0;
    this.stackSize = 0;
    this.front = -Infinity;
  }

  /** Whether the open list is empty. */
  empty(): boolean {
    return this.size === 0 && this.stackSize === 0;
  }

  /** Adds a node (not on the open list) with key (f, g); f must not be below `front`. */
  push(node: number, f: number, g: number): void {
    if (f === this.front) this.stack[this.stackSize++] = node;
    else this.up(this.size++, node, f, g);
  }

  /**
   * Restores order after an open node's key decreased to (f, g). A heap node whose f falls to
   * `front` moves to the stack (taking it out near the bottom of the heap, where nodes found
   * through a worse path first mostly are, is cheaper than its later pop from the root).
   */
  decreased(node: number, f: number, g: number): void {
    const i = this.heapPos[node]!;
    // A node on the stack already pops before every heap node (it cannot go below `front`).
    if (!(i < this.size && this.heap[i] === node)) return;
    if (f !== this.front) {
      this.up(i, node, f, g);
      return;
    }
    this.stack[this.stackSize++] = node;
    const n = --this.size;
    if (i < n) this.refill(this.heap[n]!, this.heapF[n]!, this.heapG[n]!, n, i);
  }

  /** Removes and returns an open node of least f (the list must not be empty). */
  pop(): number {
    if (this.stackSize > 0) return this.stack[--this.stackSize]!;
    const top = this.heap[0]!;
    this.front = this.heapF[0]!;
    const n = --this.size;
    if (n > 0) this.refill(this.heap[n]!, this.heapF[n]!, this.heapG[n]!, n, 0);
    return top;
  }

  /**
   * Fills the hole at slot `hole` of a heap of n entries with (node, f, g): the hole goes down to
   * a leaf along the lesser children (one comparison per level), then the entry sifts up from
   * there (it usually belongs near the bottom) — about half the comparisons of a plain sift-down.
   */
  private refill(node: number, f: number, g: number, n: number, hole: number): void {
    const heap = this.heap;
    const hf = this.heapF;
    const hg = this.heapG;
    const pos = this.heapPos;
    let i = hole;
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
      const cn = heap[c]!;
      heap[i] = cn;
      hf[i] = cf;
      hg[i] = cg;
      pos[cn] = i;
      i = c;
    }
    this.up(i, node, f, g);
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

  /** Parent chain from `goal` back to the start, as indices start → goal. */
  reconstruct(goal: number): number[] {
    const out: number[] = [];
    const rec32 = this.rec32;
    for (let n = goal; n >= 0; n = rec32[4 * n + 3]!) out.push(n);
    return out.reverse();
  }
}
