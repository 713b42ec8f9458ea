import type { ComponentChildren } from 'preact';
import type { Notice } from '../context.ts';

/**
 * The outcome of an action. The live region is always in the page, so a
 * screen reader announces the text when it appears; errors are alerts.
 */
export function NoticeLine(props: { notice: Notice | null }) {
  const { notice } = props;
  return (
    <div role={notice?.kind === 'error' ? 'alert' : 'status'} class={notice ? `notice ${notice.kind}` : 'notice-empty'}>
      {notice?.text}
    </div>
  );
}

/** A failed load: what went wrong and a way to try again. */
export function LoadError(props: { message: string; retry: () => void }) {
  return (
    <div role="alert" class="notice error">
      <span>{props.message}</span>{' '}
      <button type="button" class="link-button" onClick={props.retry}>
        Try again
      </button>
    </div>
  );
}

/** Nothing to show, said plainly. */
export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function Loading() {
  return (
    <p class="loading" role="status">
      Loading…
    </p>
  );
}
