// The segments screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    segments: {
      title: 'Сегменты',
      new: 'Новый сегмент',
      close: 'Закрыть',
      list: {
        name: 'Сегмент', kind: 'Вид', count: 'Покупателей', change: 'С прошлого снимка', computed: 'Рассчитан',
        rebuilt: 'Полный пересчёт: {when}', neverRebuilt: 'Полного пересчёта ещё не было',
        computing: 'Считаем…', failed: 'Ошибка расчёта', edit: 'Изменить', delete: 'Удалить', cancel: 'Отмена',
        confirmDelete: 'Удалить сегмент?',
      },
      columns: {
        name: 'Имя', phone: 'Телефон', email: 'E-mail', orders: 'Заказов', revenue: 'Выручка',
        last_order_at: 'Последний заказ', ltv: 'LTV',
      },
      members: {
        title: 'Покупатели сегмента «{name}»', exportCsv: 'Скачать CSV', exportJsonl: 'Скачать JSON Lines',
        range: '{from}–{to} из {total}', previous: 'Назад', next: 'Дальше', why: 'Почему здесь?',
        noName: 'Без имени', noContacts: 'Нет телефона и e-mail',
      },
      explain: { title: 'Почему {name} в этих сегментах', gone: 'Сегмент удалён' },
      editor: {
        title: 'Новый сегмент', editTitle: 'Сегмент «{name}»', kind: 'Вид сегмента', nameRu: 'Название по-русски', nameEn: 'Название по-английски',
        bought: 'Купил (X)', notBought: 'Но не купил (Y)', withinDays: 'За последние, дней',
        consumables: 'Расходные товары', graceDays: 'Запас, дней', save: 'Сохранить сегмент',
        preview: 'Сейчас подходит: {count} из {total}', incomplete: 'Заполните условия, чтобы увидеть число покупателей',
        invalid: 'Условия пока не проходят проверку',
      },
      rule: {
        addCondition: 'Условие', addGroup: 'Группа условий', removeGroup: 'Убрать группу', remove: 'Убрать',
        emptyGroup: 'Добавьте условие или группу', amount: 'Сумма', number: 'Число', pick: 'Выберите',
        list: 'Значения через запятую', text: 'Значение', withinDays: 'За последние, дней',
      },
      picker: {
        search: 'Найти товар или категорию', searchProduct: 'Найти товар', searchCategory: 'Найти категорию', clear: 'Очистить', category: 'Категория «{name}»',
        buyers: 'покупателей: {n}',
      },
      thresholds: {
        title: 'Пороги жизненного цикла',
        hint: 'Сколько покупок делают покупателя перспективным и лояльным, и сколько дней без покупок он активен и спит. Перед сохранением видно, как изменится матрица.',
        promising_from: 'Перспективный с покупки №', loyal_from: 'Лояльный с покупки №',
        active_days: 'Активен, дней', sleeping_days: 'Спит, дней',
        invalid: 'Лояльность должна начинаться позже перспективности, а «спит» — быть дольше «активен».',
        moved: 'Сменят ячейку: {moved} из {buyers} покупателей',
        save: 'Сохранить пороги', saved: 'Сохранено; сегменты пересчитываются.',
      },
    },
  },
  en: {
    segments: {
      title: 'Segments',
      new: 'New segment',
      close: 'Close',
      list: {
        name: 'Segment', kind: 'Kind', count: 'Customers', change: 'Since the last snapshot', computed: 'Computed',
        rebuilt: 'Full recalculation: {when}', neverRebuilt: 'No full recalculation yet',
        computing: 'Computing…', failed: 'Calculation failed', edit: 'Edit', delete: 'Delete', cancel: 'Cancel',
        confirmDelete: 'Delete this segment?',
      },
      columns: {
        name: 'Name', phone: 'Phone', email: 'E-mail', orders: 'Orders', revenue: 'Revenue',
        last_order_at: 'Last order', ltv: 'LTV',
      },
      members: {
        title: 'Customers in “{name}”', exportCsv: 'Download CSV', exportJsonl: 'Download JSON Lines',
        range: '{from}–{to} of {total}', previous: 'Previous', next: 'Next', why: 'Why here?',
        noName: 'No name', noContacts: 'No phone or e-mail',
      },
      explain: { title: 'Why {name} is in these segments', gone: 'Deleted segment' },
      editor: {
        title: 'New segment', editTitle: 'Segment “{name}”', kind: 'Kind of segment', nameRu: 'Name in Russian', nameEn: 'Name in English',
        bought: 'Bought (X)', notBought: 'But not (Y)', withinDays: 'Within the last, days',
        consumables: 'Consumables', graceDays: 'Grace, days', save: 'Save segment',
        preview: 'Matching now: {count} of {total}', incomplete: 'Complete the conditions to see how many customers match',
        invalid: 'The conditions do not pass the checks yet',
      },
      rule: {
        addCondition: 'Condition', addGroup: 'Group of conditions', removeGroup: 'Remove group', remove: 'Remove',
        emptyGroup: 'Add a condition or a group', amount: 'Amount', number: 'Number', pick: 'Choose',
        list: 'Values separated by commas', text: 'Value', withinDays: 'Within the last, days',
      },
      picker: {
        search: 'Find a product or category', searchProduct: 'Find a product', searchCategory: 'Find a category', clear: 'Clear', category: 'Category “{name}”',
        buyers: '{n} buyers',
      },
      thresholds: {
        title: 'Lifecycle thresholds',
        hint: 'How many purchases make a customer promising and loyal, and for how many days without a purchase they are active and sleeping. See how the matrix would change before saving.',
        promising_from: 'Promising from purchase no.', loyal_from: 'Loyal from purchase no.',
        active_days: 'Active, days', sleeping_days: 'Sleeping, days',
        invalid: 'Loyal must start after promising, and sleeping must last longer than active.',
        moved: '{moved} of {buyers} customers would change cell',
        save: 'Save thresholds', saved: 'Saved; segments are being recalculated.',
      },
    },
  },
}
