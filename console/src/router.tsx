import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * Client-side routes under /console/ on the History API; the server answers
 * index.html for every such path, so a reload or a shared link lands on the
 * same screen. The location itself is the state: nothing is kept here.
 */
export const BASE = '/console';

export interface Location {
  /** The path below /console, e.g. `/devices`; `/` for the console's root. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : '/';
  return { path, query: new URLSearchParams(location.search) };
}

/** The current location; re-renders on back/forward and on `navigate`. */
export function useLocation(): Location {
  const [here, setHere] = useState(current);
  useEffect(() => {
    const update = () => setHere(current());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return here;
}

/** Goes to `to` (a path below /console, with an optional query) and tells `useLocation`. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = BASE + to;
  if (url === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** A real link (open in a new tab works), followed in place on a plain click. */
export function Link(props: { to: string; class?: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={BASE + props.to}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
