"""A deterministic synthetic shop history for the segment benchmark: customers, keys, orders and order lines.

Rows come out in chunks, ready for executemany or COPY, with explicit ids (customers 1..N, orders 1..M in
time order). Shapes: most customers buy once, a long tail of repeat buyers (older customers more); orders over
the 3 years before END, more customers in later months; 1-3 lines over 2,000 SKUs in 40 categories (12 of them
consumables that repeat buyers re-order); SKU prices log-normal, so order totals are too; statuses mostly
completed, some cancelled or refunded, the last days still in progress; ~60 % with a birthday, ~60 % a gender.
"""
from __future__ import annotations

import json
import math
import random
from array import array
from bisect import bisect
from dataclasses import dataclass
from datetime import date, datetime, timezone

END = datetime(2026, 7, 1, tzinfo=timezone.utc)  # the benchmark's `now`: the history ends here
SPAN = 3 * 365 * 86400  # seconds of history before END
BASE = int(END.timestamp()) - SPAN
MONTH = 30 * 86400
PACK = 1 << 24  # a planned order: seconds since BASE * PACK + customer index

CUSTOMER_COLS = ("id", "member_id", "contact_id", "profile", "version")
KEY_COLS = ("id", "member_id", "key", "customer_id")
ORDER_COLS = ("id", "shop_id", "member_id", "order_id", "number", "status", "total", "currency", "customer_id",
              "items", "ordered_at", "version", "deal_id", "utm_source")
LINE_COLS = ("id", "member_id", "order_ref", "customer_id", "sku", "category", "quantity", "amount", "ordered_at",
             "counted")

CONSUMABLES = (("coffee", 15), ("tea", 9), ("pet-food", 25), ("cat-litter", 12), ("vitamins", 20),
               ("contact-lenses", 35), ("printer-ink", 28), ("water-filters", 18), ("diapers", 22), ("shampoo", 8),
               ("protein", 40), ("chain-oil", 10))
DURABLES = (("bikes", 450), ("tyres", 30), ("helmets", 60), ("phones", 400), ("phone-cases", 15), ("headphones", 80),
            ("laptops", 900), ("monitors", 250), ("keyboards", 60), ("cameras", 600), ("books", 14), ("toys", 25),
            ("kitchenware", 35), ("furniture", 300), ("lamps", 45), ("bedding", 50), ("shoes", 90), ("jackets", 120),
            ("t-shirts", 20), ("jeans", 55), ("watches", 150), ("bags", 70), ("sports", 40), ("garden", 35),
            ("tools", 65), ("car-accessories", 30), ("cosmetics", 25), ("jewellery", 200))
SKUS = 2000
CHANNELS = (("google", .28), ("yandex", .22), ("instagram", .12), ("vk", .10), ("email", .08), ("partner", .05),
            (None, .15))  # the acquisition channel: utm_source of the first order (None: direct)
FEMALE = (("Анна", "anna"), ("Мария", "maria"), ("Елена", "elena"), ("Ольга", "olga"), ("Наталья", "natalia"),
          ("Ирина", "irina"), ("Татьяна", "tatiana"), ("Светлана", "svetlana"), ("Julia", "julia"), ("Emma", "emma"))
MALE = (("Иван", "ivan"), ("Алексей", "alexey"), ("Сергей", "sergey"), ("Дмитрий", "dmitry"), ("Андрей", "andrey"),
        ("Михаил", "mikhail"), ("Николай", "nikolay"), ("Павел", "pavel"), ("John", "john"), ("Peter", "peter"))
SURNAMES = (("Иванов", "ivanov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"), ("Попов", "popov"),
            ("Соколов", "sokolov"), ("Лебедев", "lebedev"), ("Козлов", "kozlov"), ("Новиков", "novikov"),
            ("Морозов", "morozov"), ("Волков", "volkov"))
DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "inbox.ru", "example.com")


@dataclass(frozen=True)
class Spec:
    customers: int
    orders: int
    seed: int = 1
    member_id: str = "bench-segments"
    shop_id: str = "bench-segments-shop"


def catalog(seed: int) -> tuple[list, list, list]:
    """SKUs as (sku, category, price, name), their cumulative popularity (Zipf-like), consumable SKU indexes."""
    rng = random.Random(f"catalog-{seed}")
    cats = [(name, price, True) for name, price in CONSUMABLES] + [(name, price, False) for name, price in DURABLES]
    skus, consumable = [], []
    for n in range(SKUS):
        name, median, repeat = cats[n % len(cats)]
        skus.append((f"SKU-{n:05d}", name, round(median * rng.lognormvariate(0, 0.5), 2), f"{name} #{n}"))
        if repeat:
            consumable.append(n)
    ranks = list(range(SKUS))
    rng.shuffle(ranks)
    cum, acc = [], 0.0
    for rank in ranks:
        acc += 1 / (rank + 1) ** 0.8
        cum.append(acc)
    return skus, cum, consumable


class History:
    """The planned history of one portal; customers() and orders() stream its rows."""

    def __init__(self, spec: Spec, stamp_suffix: str):
        self.spec, self.suffix = spec, stamp_suffix  # ".000000" (SQLite text) or "+00" (PostgreSQL)
        self.skus, self.sku_cum, self.consumable = catalog(spec.seed)
        self._days: dict[int, str] = {}
        self._plan(random.Random(f"plan-{spec.seed}"))

    def stamp(self, t: int) -> str:
        """Seconds since BASE as the text a timestamp column holds."""
        t += BASE
        day, rest = divmod(t, 86400)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(719163 + day).isoformat()
        return f"{text} {rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}{self.suffix}"

    def _plan(self, rng: random.Random) -> None:
        n = self.spec.customers
        growth = 1.5  # the density of new customers grows linearly: the last month has 2.5x the first
        self.start = array("d", (SPAN * (math.sqrt(1 + 2 * growth * u * (1 + growth / 2)) - 1) / growth
                                 for u in sorted(rng.random() for _ in range(n))))
        counts = self._counts(rng)
        self.channel = bytearray(bisect(_CHANNEL_CUM, rng.random()) for _ in range(n))
        self.favourite = array("H", (self.consumable[rng.randrange(len(self.consumable))] for _ in range(n)))
        self.buckets = [array("q") for _ in range(SPAN // MONTH + 1)]
        for c in range(n):
            k, s = counts[c], int(self.start[c])
            if not k:
                continue
            times = [s]
            if k > 1:
                end = SPAN - 1 if rng.random() < 0.4 else s + (SPAN - 1 - s) * rng.random()
                times += [s + int((end - s) * rng.random()) for _ in range(k - 1)]
            for t in times:
                self.buckets[t // MONTH].append(t * PACK + c)

    def _counts(self, rng: random.Random) -> array:
        """Orders per customer: everyone one (or a sample, if orders < customers) plus a long tail of extras."""
        n, m = self.spec.customers, self.spec.orders
        if m <= n:
            counts = array("I", bytes(4 * n))
            for c in rng.sample(range(n), m):
                counts[c] = 1
            return counts
        counts, extra = array("I", [1]) * n, m - n
        pool = rng.sample(range(n), max(1, int(n * min(0.4, extra / n))))
        cum, acc = [], 0.0
        for c in pool:  # older customers had more time to come back
            acc += min(40.0, rng.lognormvariate(0, 1.2)) * ((SPAN - self.start[c]) / SPAN + 0.02)
            cum.append(acc)
        while extra:
            k = min(extra, 200_000)
            for c in rng.choices(pool, cum_weights=cum, k=k):
                counts[c] += 1
            extra -= k
        return counts

    def customers(self, chunk: int = 20_000):
        """Chunks of (customer rows, key rows)."""
        rng, spec = random.Random(f"customers-{self.spec.seed}"), self.spec
        crows, krows, key_id, end_day = [], [], 0, END.date().toordinal()
        for c in range(spec.customers):
            female = rng.random() < 0.55
            (first, first_l), (last, last_l) = rng.choice(FEMALE if female else MALE), rng.choice(SURNAMES)
            if female and last[-1] == "в":
                last, last_l = last + "а", last_l + "a"
            gender = ("female" if female else "male") if rng.random() < 0.6 else None
            birthday = None
            if rng.random() < 0.6:
                age = min(85.0, max(16.0, rng.gauss(37, 12)))
                birthday = date.fromordinal(end_day - int(age * 365.25)).isoformat()
            u = rng.random()
            phone = f"+79{(c * 7919 + 12345) % 10 ** 9:09d}" if u < 0.85 or u >= 0.95 else None
            email = f"{first_l}.{last_l}{c}@{DOMAINS[c % len(DOMAINS)]}" if u < 0.95 else None
            profile = {"first_name": first, "last_name": last, "phone": phone, "email": email, "birthday": birthday,
                       "gender": gender, "consent_email": rng.random() < 0.7, "consent_sms": rng.random() < 0.4}
            crows.append((c + 1, spec.member_id, 100_000 + c, json.dumps(profile, ensure_ascii=False),
                          self.stamp(int(self.start[c]))))
            for key in (f"phone:{phone}" if phone else None, f"email:{email}" if email else None):
                if key:
                    key_id += 1
                    krows.append((key_id, spec.member_id, key, c + 1))
            if len(crows) >= chunk:
                yield crows, krows
                crows, krows = [], []
        if crows:
            yield crows, krows

    def orders(self, chunk: int = 20_000):
        """Chunks of (order rows, line rows), in time order."""
        rng, spec, seen = random.Random(f"orders-{self.spec.seed}"), self.spec, bytearray(self.spec.customers)
        orows, lrows, oid, lid = [], [], 0, 0
        skus, cum, nsku = self.skus, self.sku_cum, range(len(self.skus))
        for bucket in self.buckets:
            for value in sorted(bucket):
                t, c = divmod(value, PACK)
                oid, stamp = oid + 1, self.stamp(t)
                status = _status(rng.random(), (SPAN - t) / 86400)
                counted = status not in ("cancelled", "refunded")
                u = rng.random()
                picks = rng.choices(nsku, cum_weights=cum, k=1 if u < 0.6 else 2 if u < 0.88 else 3)
                if seen[c] and rng.random() < 0.3:
                    picks[0] = self.favourite[c]
                items, total = [], 0.0
                for n in picks:
                    sku, cat, price, name = skus[n]
                    u = rng.random()
                    q = 1 if u < 0.82 else 2 if u < 0.95 else 3
                    amount = round(price * q, 2)
                    total += amount
                    lid += 1
                    lrows.append((lid, spec.member_id, oid, c + 1, sku, cat, float(q), amount, stamp, counted))
                    items.append(f'{{"sku": "{sku}", "name": "{name}", "category": "{cat}", '
                                 f'"price": "{price:.2f}", "quantity": "{q}"}}')
                utm = self._utm(rng.random(), c, seen[c])
                seen[c] = 1
                orows.append((oid, spec.shop_id, spec.member_id, f"{oid:09d}", f"N-{oid}", status, f"{total:.2f}",
                              "RUB", c + 1, "[" + ", ".join(items) + "]", stamp, stamp, oid, utm))
                if len(orows) >= chunk:
                    yield orows, lrows
                    orows, lrows = [], []
        if orows:
            yield orows, lrows

    def _utm(self, u: float, c: int, repeat: int) -> str | None:
        """The first order carries the customer's channel; repeat orders come mostly by e-mail or direct."""
        own = CHANNELS[self.channel[c]][0]
        if not repeat:
            return own
        return "email" if u < 0.35 else None if u < 0.65 else own


def _cumulative(weights) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    out[-1] = 1.0
    return out


_CHANNEL_CUM = tuple(_cumulative(w for _, w in CHANNELS))


def _status(u: float, age_days: float) -> str:
    """Canonical status of an order `age_days` old: recent ones still in progress, old ones settled."""
    if age_days < 3:
        return "new" if u < 0.3 else "pending_payment" if u < 0.4 else "paid" if u < 0.7 else "shipped"
    if age_days < 10:
        return "shipped" if u < 0.3 else "delivered" if u < 0.5 else "cancelled" if u < 0.56 else "completed"
    return "completed" if u < 0.88 else "delivered" if u < 0.91 else "cancelled" if u < 0.97 else "refunded"
