// The catalogues: the base (app, navigation, common words) plus one file per screen under screens/, each
// holding both languages, so a screen's texts live beside each other and screens never edit the same file.
import { createI18n } from 'vue-i18n'
import type { Lang } from '@/lib/bootstrap'
import en from './en'
import ru from './ru'
import access from './screens/access'
import campaigns from './screens/campaigns'
import card from './screens/card'
import install from './screens/install'
import ltv from './screens/ltv'
import messagesScreen from './screens/messages'
import overview from './screens/overview'
import segments from './screens/segments'
import shops from './screens/shops'
import sync from './screens/sync'

const SCREENS = [access, campaigns, card, install, ltv, messagesScreen, overview, segments, shops, sync]

function catalogue(lang: Lang, base: object) {
  return Object.assign({}, base, ...SCREENS.map(screen => screen[lang]))
}

export const messages = { ru: catalogue('ru', ru), en: catalogue('en', en) }

export function makeI18n(lang: Lang) {
  return createI18n({
    legacy: false,
    locale: lang,
    fallbackLocale: 'ru',
    missingWarn: false,
    fallbackWarn: false,
    // a key missing from a catalogue is an error the browser tests see (they fail on console errors)
    missing: (locale: string, key: string) => { console.error(`untranslated key ${key} (${locale})`) },
    messages,
  })
}
