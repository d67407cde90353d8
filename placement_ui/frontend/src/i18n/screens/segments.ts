// The segments screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    segments: {
      title: 'Сегменты',
    },
  },
  en: {
    segments: {
      title: 'Segments',
    },
  },
}
