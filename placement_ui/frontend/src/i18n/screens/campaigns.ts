// The campaigns screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    campaigns: {
      title: 'Кампании',
    },
  },
  en: {
    campaigns: {
      title: 'Campaigns',
    },
  },
}
