import { useCallback, useState, type FormEvent } from 'react';
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

/**
 * A settings form's save: `submit(action)` is its submit handler, running `action` as an attempt; `saved`
 * holds from a save that succeeded until the next submit, or `edited()` when the form changes.
 */
export function useSave(): {
  problem: string | null;
  busy: boolean;
  saved: boolean;
  edited: () => void;
  submit: (action: () => Promise<void>) => (e: FormEvent) => void;
} {
  const { problem, busy, attempt } = useAttempt();
  const [saved, setSaved] = useState(false);
  const submit = (action: () => Promise<void>) => (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void attempt(async () => {
      await action();
      setSaved(true);
    });
  };
  return { problem, busy, saved, edited: () => setSaved(false), submit };
}
