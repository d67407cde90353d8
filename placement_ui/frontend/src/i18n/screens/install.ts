// The install page's texts, Russian first.
export default {
  ru: {
    install: {
      title: 'Установка приложения',
      finishing: 'Завершаем установку…',
      done: 'Приложение установлено. Оно появится в меню портала; откройте его, чтобы подключить магазин.',
      failed: 'Портал не подтвердил завершение установки. Обновите страницу, чтобы попробовать ещё раз.',
    },
  },
  en: {
    install: {
      title: 'Installing the app',
      finishing: 'Finishing the installation…',
      done: 'The app is installed. It appears in the portal’s menu; open it to connect your shop.',
      failed: 'The portal did not confirm the installation. Reload the page to try again.',
    },
  },
}
