import { exactTime, relativeTime } from '../format.ts';

/** "5 minutes ago", with the exact time on hover (and for assistive technology, in `datetime`). */
export function RelativeTime(props: { at: string | null; never?: string }) {
  if (!props.at) return <span>{props.never ?? 'never'}</span>;
  return (
    <time dateTime={props.at} title={exactTime(props.at)}>
      {relativeTime(props.at)}
    </time>
  );
}
