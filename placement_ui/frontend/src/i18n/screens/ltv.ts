// The ltv screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    ltv: {
      title: 'Ценность клиентов',
    },
  },
  en: {
    ltv: {
      title: 'Lifetime value',
    },
  },
}
