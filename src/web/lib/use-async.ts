import { useCallback, useEffect, useState } from 'preact/hooks';

/** Load data for a view; errors are kept to be shown, never swallowed. */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Run an action from a button or form, with its error and a busy flag. */
export function useAction<A extends unknown[]>(
  fn: (...a: A) => Promise<unknown>,
): { run: (...a: A) => void; busy: boolean; error: Error | undefined } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = (...a: A): void => {
    setBusy(true);
    setError(undefined);
    fn(...a)
      .catch((e: Error) => setError(e))
      .finally(() => setBusy(false));
  };
  return { run, busy, error };
}
