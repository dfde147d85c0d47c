// The kinds of case as a select's options, named in the console's language; `any` adds a first option
// for no kind in particular (a filter, a trigger).
import { useI18n } from '../../i18n.js';
import { CASE_KINDS } from './cases.js';

export function KindOptions({ any = false }: { any?: boolean }) {
  const { t, label } = useI18n();
  return (
    <>
      {any && <option value="">{t('service.anyKind')}</option>}
      {CASE_KINDS.map((k) => (
        <option key={k} value={k}>
          {label(`service.kind.${k}`, k)}
        </option>
      ))}
    </>
  );
}
