// The sync screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    sync: {
      title: 'Состояние синхронизации',
      portal: 'Портал',
      installed: 'Приложение установлено',
      lastSnapshot: 'Последний пересчёт сегментов',
    },
  },
  en: {
    sync: {
      title: 'Sync health',
      portal: 'Portal',
      installed: 'The app is installed',
      lastSnapshot: 'Last segment rebuild',
    },
  },
}
