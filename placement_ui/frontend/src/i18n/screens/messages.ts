// The messages screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    messages: {
      title: 'Сообщения и каналы',
    },
  },
  en: {
    messages: {
      title: 'Messages and channels',
    },
  },
}
