import { useCallback, useEffect, useState } from 'react';

/**
 * Loads data for a screen. `key` says when to load again (the inputs of `load`, which callers pass as an
 * inline closure); `reload` fetches again after an action or to follow progress.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  key: string,
): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for everything `load` reads
  }, [key, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Loads again every second while `active` (an import or a job still waiting or running), to follow it. */
export function useFollow(active: boolean | undefined, reload: () => void): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [active, reload]);
}
