import { createI18n } from 'vue-i18n'
import type { Lang } from '@/lib/bootstrap'
import en from './en'
import ru from './ru'

export const messages = { ru, en }

export function makeI18n(lang: Lang) {
  return createI18n({
    legacy: false,
    locale: lang,
    fallbackLocale: 'ru',
    missingWarn: false,
    fallbackWarn: false,
    // a key missing from a catalogue is an error the browser tests see (they fail on console errors)
    missing: (locale: string, key: string) => { console.error(`untranslated key ${key} (${locale})`) },
    messages: { ru, en },
  })
}
