// The card screen's texts, Russian first; both languages carry every key (tests/i18n.test.ts).
export default {
  ru: {
    card: {
      title: 'Карточка клиента',
      deal: 'Сделка',
      contact: 'Контакт',
      noEntity: 'Откройте вкладку из карточки сделки или контакта',
      openInSlider: 'Открыть в карточке',
      staffOnly: 'Данные клиента',
    },
  },
  en: {
    card: {
      title: 'Customer card',
      deal: 'Deal',
      contact: 'Contact',
      noEntity: 'Open this tab from a deal or a contact',
      openInSlider: 'Open the card',
      staffOnly: 'Customer data',
    },
  },
}
