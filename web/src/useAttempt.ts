import { useCallback, useState } from 'react';
import { problemText } from './api.js';

/**
 * Runs what a form or a button asks of the API, and keeps the answer's complaint (its message with each
 * detail) to show beside it; `busy` holds while the action runs.
 */
export function useAttempt(): {
  problem: string | null;
  busy: boolean;
  attempt: (action: () => Promise<void>) => Promise<void>;
} {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attempt = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (err) {
      setProblem(problemText(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { problem, busy, attempt };
}
