/**
 * A fixed-row-height virtual list: a scrolling viewport over a spacer as tall as all rows,
 * and a small pool of row elements moved (transform) and refilled as it scrolls. The DOM
 * holds about one screen of rows whatever the row count.
 */

export interface VirtualListOptions<R> {
  /** The scrolling element (its CSS gives it a height and `overflow: auto`). */
  viewport: HTMLElement;
  rowHeight: number;
  /** Extra rows rendered above and below the screen, so fast scrolling shows no gaps. */
  overscan?: number;
  createRow(): R;
  element(row: R): HTMLElement;
  /** Fills a row for the item at `index` (0 ≤ index < count). */
  renderRow(row: R, index: number): void;
  /** After every render (e.g. to keep DOM focus on the focused row). */
  afterRender?(): void;
}

/**
 * Row `i` is always drawn by pool slot `i % poolSize`, so scrolling by a few rows refills
 * only the slots that scrolled in, and a focused row keeps its element while on screen.
 */
export class VirtualList<R> {
  private readonly spacer: HTMLElement;
  private readonly pool: R[] = [];
  /** Row index each pool slot shows (-1: none). */
  private slotIndex: number[] = [];
  private count = 0;
  private first = 0;
  private dirty = true;
  private frame = 0;
  private viewportHeight = 0;
  /** Bumped after each render; tests and the bench wait on it (data-render-seq). */
  private renderSeq = 0;

  constructor(private readonly o: VirtualListOptions<R>) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    o.viewport.appendChild(this.spacer);
    o.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => {
      this.viewportHeight = o.viewport.clientHeight;
      this.schedule();
    }).observe(o.viewport);
  }

  get size(): number {
    return this.count;
  }

  setCount(count: number): void {
    this.count = count;
    this.spacer.style.height = `${count * this.o.rowHeight}px`;
    this.dirty = true;
  }

  /** Re-renders every row now (after a data, selection or focus change). */
  refresh(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.dirty = true;
    this.render();
  }

  schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  get scrollTop(): number {
    return this.o.viewport.scrollTop;
  }

  set scrollTop(value: number) {
    this.o.viewport.scrollTop = value;
  }

  /**
   * Scrolls the least needed to show row `index` (or puts it mid-screen when `center`);
   * renders at once so the row can take focus.
   */
  reveal(index: number, center = false): void {
    const h = this.o.rowHeight;
    const top = index * h;
    const vp = this.o.viewport;
    const height = vp.clientHeight;
    if (center) vp.scrollTop = Math.max(0, top - (height - h) / 2);
    else if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + h > vp.scrollTop + height) vp.scrollTop = top + h - height;
    if (!this.isRendered(index)) this.render();
  }

  /** Rows per screen, for Page Up / Page Down. */
  pageSize(): number {
    return Math.max(1, Math.floor(this.o.viewport.clientHeight / this.o.rowHeight) - 1);
  }

  isRendered(index: number): boolean {
    const p = this.pool.length;
    return p > 0 && index >= 0 && index < this.count && this.slotIndex[index % p] === index;
  }

  /** The element currently showing row `index`, if rendered. */
  elementAt(index: number): HTMLElement | undefined {
    return this.isRendered(index) ? this.o.element(this.pool[index % this.pool.length]) : undefined;
  }

  private render(): void {
    const { rowHeight: h, viewport } = this.o;
    const overscan = this.o.overscan ?? 8;
    if (this.viewportHeight === 0) this.viewportHeight = viewport.clientHeight;
    const capacity = Math.ceil(this.viewportHeight / h) + 1 + 2 * overscan;
    const size = Math.min(this.count, capacity);
    if (size !== this.pool.length) {
      while (this.pool.length < size) {
        const row = this.o.createRow();
        this.pool.push(row);
        viewport.appendChild(this.o.element(row));
      }
      while (this.pool.length > size) this.o.element(this.pool.pop() as R).remove();
      this.slotIndex = new Array<number>(size).fill(-1);
    }
    const maxFirst = Math.max(0, this.count - size);
    this.first = Math.min(maxFirst, Math.max(0, Math.floor(viewport.scrollTop / h) - overscan));
    for (let i = this.first; i < this.first + size; i++) {
      const slot = i % size;
      if (!this.dirty && this.slotIndex[slot] === i) continue;
      const row = this.pool[slot];
      this.o.element(row).style.transform = `translateY(${i * h}px)`;
      this.o.renderRow(row, i);
      this.slotIndex[slot] = i;
    }
    this.dirty = false;
    this.renderSeq++;
    viewport.dataset.renderSeq = String(this.renderSeq);
    this.o.afterRender?.();
  }
}
