"""The ready-made campaigns: a strategy for each of the 9 lifecycle cells (the repeat-sales method: each cell its
own aim) and the other seasonal or behavioural ones. Data only; presets.py and preset_admin.py use it.

A preset: the campaign definition (code = the preset's code), its aim in both languages, the cell it serves
(None: another preset), and where its segment is not a built-in every portal has, the segment it brings
(`brings`: a segment definition created when the preset is enabled; `choose`: the params the admin picks then,
e.g. the categories of a replenishment segment)."""
from __future__ import annotations

from types import MappingProxyType

CROSS_SELL_SEGMENT = "CROSS_SELL"  # the conventional code of a portal's cross-sell segment definition


def _promo(percent: int, days: int, prefix: str) -> dict:
    return {"type": "promo_code", "discount_percent": percent, "valid_days": days, "prefix": prefix}


def _message(template: str, channel: str = "auto") -> dict:
    return {"type": "message", "template": template, "channel": channel}


PRESETS = MappingProxyType({
    # the 9 cells of the lifecycle matrix
    "SECOND_PURCHASE": {
        "cell": "NEW_ACTIVE", "aim_en": "Second purchase offer", "aim_ru": "Предложение второй покупки",
        "name_en": "Second purchase offer", "name_ru": "Предложение второй покупки",
        "segment": "NEW_ACTIVE", "trigger": "enter", "cooldown_days": 90, "holdout_percent": 10,
        "actions": [_promo(10, 21, "SECOND"), _message("second_purchase")]},
    "COME_BACK_NEW": {
        "cell": "NEW_SLEEPING", "aim_en": "A reminder with a reason to come back",
        "aim_ru": "Напоминание с поводом вернуться",
        "name_en": "Reason to come back", "name_ru": "Повод вернуться",
        "segment": "NEW_SLEEPING", "trigger": "enter", "cooldown_days": 60, "holdout_percent": 10,
        "actions": [_message("come_back_reason")]},
    "WIN_BACK_NEW": {
        "cell": "NEW_LOST", "aim_en": "Win-back discount", "aim_ru": "Скидка за возвращение",
        "name_en": "Win back the new lost", "name_ru": "Возврат новых потерянных",
        "segment": "NEW_LOST", "trigger": "enter", "cooldown_days": 90, "holdout_percent": 10,
        "actions": [_promo(15, 30, "RETURN"), _message("win_back_discount")]},
    "CROSS_SELL_PROMISING": {
        "cell": "PROMISING_ACTIVE", "aim_en": "Cross-sell", "aim_ru": "Допродажа",
        "name_en": "Cross-sell to the promising", "name_ru": "Допродажа перспективным",
        "segment": "PROMISING_ACTIVE", "trigger": "enter", "cooldown_days": 45, "holdout_percent": 10,
        "actions": [_promo(10, 21, "PICK"), _message("cross_sell_promising")]},
    "WIN_BACK_PROMISING": {
        "cell": "PROMISING_SLEEPING", "aim_en": "Personal offer", "aim_ru": "Персональное предложение",
        "name_en": "Win back the promising sleeping", "name_ru": "Возврат перспективных спящих",
        "segment": "PROMISING_SLEEPING", "trigger": "enter", "cooldown_days": 60,
        "actions": [_promo(15, 30, "BACK"), _message("personal_offer"), {"type": "deal"}]},
    "SURVEY_PROMISING": {
        "cell": "PROMISING_LOST", "aim_en": "Survey and win-back", "aim_ru": "Опрос и возврат",
        "name_en": "Survey the promising lost", "name_ru": "Опрос перспективных потерянных",
        "segment": "PROMISING_LOST", "trigger": "enter", "cooldown_days": 120, "holdout_percent": 10,
        "actions": [_promo(15, 30, "ASK"), _message("survey_win_back", "email")]},
    "VIP_LOYAL": {
        "cell": "LOYAL_ACTIVE", "aim_en": "VIP treatment and referral", "aim_ru": "VIP-обслуживание и рекомендации",
        "name_en": "VIP treatment for the loyal", "name_ru": "VIP для лояльных",
        "segment": "LOYAL_ACTIVE", "trigger": "enter", "cooldown_days": 180, "holdout_percent": 5,
        "actions": [_promo(10, 60, "VIP"), _message("vip_referral"), {"type": "notify"}]},
    "CALL_LOYAL_SLEEPING": {
        "cell": "LOYAL_SLEEPING", "aim_en": "A manager's call", "aim_ru": "Звонок менеджера",
        "name_en": "Call the loyal sleeping", "name_ru": "Звонок лояльным спящим",
        "segment": "LOYAL_SLEEPING", "trigger": "enter", "cooldown_days": 90, "holdout_percent": 5,
        "actions": [{"type": "deal"}, {"type": "todo", "days": 1}, _message("loyal_call", "email")]},
    "REACTIVATE_LOYAL": {
        "cell": "LOYAL_LOST", "aim_en": "A personal call and a strong offer",
        "aim_ru": "Личный звонок и сильное предложение",
        "name_en": "Reactivate the loyal lost", "name_ru": "Реактивация лояльных потерянных",
        "segment": "LOYAL_LOST", "trigger": "enter", "cooldown_days": 90,
        "actions": [_promo(20, 30, "BEST"), {"type": "deal"}, {"type": "todo", "days": 1},
                    _message("strong_offer"), {"type": "notify"}]},
    # other strategies
    "WELCOME_NEW": {
        "cell": None, "aim_en": "Welcome after the first order", "aim_ru": "Приветствие после первого заказа",
        "name_en": "Welcome the new active", "name_ru": "Приветствие новых активных",
        "segment": "NEW_ACTIVE", "trigger": "enter", "cooldown_days": 365,
        "actions": [_message("welcome", "email")]},
    "BIRTHDAY_GREETING": {
        "cell": None, "aim_en": "Birthday greeting with a gift", "aim_ru": "Поздравление с днём рождения и подарок",
        "name_en": "Birthday greeting with a promo code", "name_ru": "Поздравление с днём рождения и промокод",
        "segment": "BIRTHDAY_MONTH", "trigger": "monthly", "day_of_month": 1, "hour": 10, "cooldown_days": 300,
        "actions": [_promo(10, 45, "BDAY"), _message("birthday_greeting")]},
    "LAPSED_90": {
        "cell": None, "aim_en": "No purchase for 90 days", "aim_ru": "Нет покупок 90 дней",
        "name_en": "Lapsed for 90 days", "name_ru": "Без покупок 90 дней",
        "segment": "LAPSED_90", "trigger": "enter", "cooldown_days": 90, "holdout_percent": 10,
        "actions": [_promo(10, 30, "MISS"), _message("lapsed_90")],
        "brings": {"kind": "lapsed", "name_en": "No purchase for 90+ days", "name_ru": "Без покупок 90+ дней",
                   "params": {"days": 90}}},
    "LAPSED_180": {
        "cell": None, "aim_en": "No purchase for 180 days", "aim_ru": "Нет покупок 180 дней",
        "name_en": "Lapsed for 180 days", "name_ru": "Без покупок 180 дней",
        "segment": "LAPSED_180", "trigger": "enter", "cooldown_days": 180, "holdout_percent": 10,
        "actions": [_promo(15, 30, "AGAIN"), _message("lapsed_180")],
        "brings": {"kind": "lapsed", "name_en": "No purchase for 180+ days", "name_ru": "Без покупок 180+ дней",
                   "params": {"days": 180}}},
    "CROSS_SELL": {
        "cell": None, "aim_en": "Bought one thing, offer what goes with it",
        "aim_ru": "Купили одно, предложить то, что к нему подходит",
        "name_en": "Cross-sell after a purchase", "name_ru": "Допродажа после покупки",
        "segment": CROSS_SELL_SEGMENT, "trigger": "enter", "cooldown_days": 30,
        "actions": [_promo(10, 21, "MORE"), _message("cross_sell")],
        "brings": {"kind": "cross_sell", "name_en": "Bought, not yet the companion",
                   "name_ru": "Купили, но ещё без дополнения", "params": {"within_days": 90},
                   "choose": ("bought", "not_bought")}},
    "REPLENISH": {
        "cell": None, "aim_en": "Time to buy the consumable again", "aim_ru": "Пора снова купить расходники",
        "name_en": "Replenishment reminder", "name_ru": "Напоминание о пополнении",
        "segment": "REPLENISH_DUE", "trigger": "enter", "cooldown_days": 30, "holdout_percent": 10,
        "actions": [_message("replenish_reminder")],
        "brings": {"kind": "replenishment", "name_en": "Due to restock", "name_ru": "Пора пополнить запас",
                   "params": {"grace_days": 3, "min_history": 3, "default_interval_days": 30},
                   "choose": ("categories",)}},
    "CART_FOLLOW_UP": {
        "cell": None, "aim_en": "Left a cart: a follow-up with a discount",
        "aim_ru": "Бросили корзину: повторное напоминание со скидкой",
        "name_en": "Cart recovery follow-up", "name_ru": "Возврат брошенной корзины",
        "segment": "CART_ABANDONED", "trigger": "enter", "cooldown_days": 14, "holdout_percent": 10,
        "actions": [_promo(5, 7, "CART"), _message("cart_follow_up")],
        "brings": {"kind": "abandoned_cart", "name_en": "Left a cart 3+ days ago",
                   "name_ru": "Бросили корзину 3+ дня назад", "params": {"days": 3, "within_days": 30}}},
})
CAMPAIGN_KEYS = ("name_en", "name_ru", "segment", "trigger", "weekday", "day_of_month", "hour", "actions",
                 "cooldown_days", "holdout_percent", "attribution_days")
CELL_PRESETS = MappingProxyType({p["cell"]: code for code, p in PRESETS.items() if p["cell"]})
