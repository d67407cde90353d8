// The access screen's texts (who administers the app, the campaigns), Russian first.
export default {
  ru: {
    access: {
      campaigns: 'Кампании',
      campaign: 'Кампания',
      enabled: 'Включена',
      disabled: 'Выключена',
      title: 'Администраторы приложения',
      none: 'Только администраторы портала',
      pickUser: 'Выбрать сотрудника',
    },
  },
  en: {
    access: {
      campaigns: 'Campaigns',
      campaign: 'Campaign',
      enabled: 'On',
      disabled: 'Off',
      title: 'App administrators',
      none: 'Portal administrators only',
      pickUser: 'Pick an employee',
    },
  },
}
