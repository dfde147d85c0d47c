/** What went wrong, announced to screen readers as it appears (role alert); nothing while all is well. */
export function Problem({ text, testId }: { text: string | null | undefined; testId?: string }) {
  return text ? (
    <p className="error" role="alert" data-testid={testId}>
      {text}
    </p>
  ) : null;
}
