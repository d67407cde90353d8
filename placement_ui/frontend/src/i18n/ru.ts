// Russian first: most Bitrix24 shop portals are Russian-speaking. Every key exists in en.ts too.
export default {
  app: { title: 'Магазин и клиенты' },
  nav: { overview: 'Обзор', segments: 'Сегменты', campaigns: 'Кампании', messages: 'Сообщения', ltv: 'Ценность клиентов', shops: 'Магазины', sync: 'Состояние синхронизации', access: 'Доступ' },
  common: {
    loading: 'Загрузка…',
    empty: 'Пока нет данных',
    retry: 'Повторить',
    refresh: 'Обновить',
    error: 'Не удалось загрузить данные',
    forbidden: 'Этот раздел доступен только администраторам приложения',
    updated: 'Обновлено {when}',
  },
}
