// A list that renders only the rows in view (TanStack Virtual), so 100k results
// scroll as smoothly as 100. Rows are fixed-height; each row stays keyboard-reachable.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';

export function VirtualList<T>({
  items,
  rowHeight = 36,
  height = 480,
  label,
  id,
  render,
}: {
  items: T[];
  rowHeight?: number;
  height?: number;
  label: string;
  id?: string;
  render: (item: T, index: number) => ComponentChildren;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useState(0);
  const options = (count: number): VirtualizerOptions<HTMLDivElement, Element> => ({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => rerender((x) => x + 1),
  });
  const v = useMemo(() => new Virtualizer(options(items.length)), []);
  v.setOptions(options(items.length));
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => {
    v._willUpdate();
  });
  return (
    <div
      ref={scroller}
      class="vlist"
      style={{ height: `${Math.min(height, Math.max(rowHeight, items.length * rowHeight))}px` }}
      tabIndex={-1}
    >
      <ol
        id={id}
        aria-label={label}
        aria-rowcount={items.length}
        style={{ height: `${v.getTotalSize()}px`, position: 'relative' }}
      >
        {v.getVirtualItems().map((row) => (
          <li
            key={row.key}
            aria-posinset={row.index + 1}
            aria-setsize={items.length}
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              height: `${rowHeight}px`,
              transform: `translateY(${row.start}px)`,
            }}
          >
            {render(items[row.index]!, row.index)}
          </li>
        ))}
      </ol>
    </div>
  );
}
