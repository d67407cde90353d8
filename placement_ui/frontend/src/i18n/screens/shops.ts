// The shops screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    shops: {
      title: 'Подключённые магазины',
    },
  },
  en: {
    shops: {
      title: 'Connected shops',
    },
  },
}
