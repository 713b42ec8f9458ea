/** "21–40 of 95" with Previous / Next, for `{items, total, offset, limit}` lists. */
export function Pager(props: { offset: number; limit: number; total: number; shown: number; onPage: (offset: number) => void }) {
  const { offset, limit, total, shown } = props;
  if (total === 0) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => props.onPage(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span>
        {offset + 1}–{offset + shown} of {total}
      </span>
      <button type="button" disabled={offset + shown >= total} onClick={() => props.onPage(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
