// The access screen's texts (who administers the app), Russian first.
export default {
  ru: {
    access: {
      title: 'Администраторы приложения',
      none: 'Только администраторы портала',
      pickUser: 'Выбрать сотрудника',
    },
  },
  en: {
    access: {
      title: 'App administrators',
      none: 'Portal administrators only',
      pickUser: 'Pick an employee',
    },
  },
}
