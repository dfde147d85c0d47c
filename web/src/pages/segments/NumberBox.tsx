/** A number that may be left empty (undefined). Text that is no number travels as null, which the API names. */
export function NumberBox(p: {
  label: string;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
}) {
  return (
    <label className="inline">
      {p.label}
      <input
        inputMode="decimal"
        size={8}
        defaultValue={p.value ?? ''}
        onChange={(e) => {
          const text = e.target.value.trim();
          p.onChange(text === '' ? undefined : Number(text));
        }}
      />
    </label>
  );
}
