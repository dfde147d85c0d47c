// The console speaks English and Simplified Chinese. Pages use keys only; words/ holds the words.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { en, type Key } from './words/en.js';
import { zh } from './words/zh-CN.js';

export type { Key };

export type Lang = 'en' | 'zh-CN';
const dictionaries: Record<Lang, Record<Key, string>> = { en, 'zh-CN': zh };

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: Key, vars?: Record<string, string | number>): string;
  /** For keys built from data (statuses, event types): the words if the dictionary has them, else `fallback`. */
  label(key: string, fallback?: string): string;
}

const Context = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem('regulars.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value: I18n = {
    lang,
    setLang(next) {
      localStorage.setItem('regulars.lang', next);
      document.documentElement.lang = next;
      setLangState(next);
    },
    t(key, vars) {
      const text = dictionaries[lang][key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? '')) : text;
    },
    label(key, fallback) {
      return isKey(key) ? dictionaries[lang][key] : (fallback ?? key);
    },
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(Context);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

/** Keys built from data (statuses, event types) are checked against the dictionary. */
export function isKey(key: string): key is Key {
  return key in en;
}
