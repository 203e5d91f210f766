"""A child's family: parents (who is away, where they work, since when) and the guardian."""

from __future__ import annotations

import random
from datetime import date, timedelta

from seed import names, phrases
from seed.context import Weighted, World
from seed.kid import BOTH, FATHER, MOTHER, NONE, Kid

OLD_GUARDIANS = 0.03  # grandparents aged 70 or more (the risk list flags them as frail)


class FamilyBuilder:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng
        self.namer = world.namer
        self.relations = Weighted([(r, r[1]) for r in names.GUARDIAN_RELATIONS])
        self.work = Weighted([(p, w) for p, (w, _) in names.WORK_PLACES.items()])
        self.guardian_health = Weighted(names.GUARDIAN_HEALTH)
        self.guardian_education = Weighted(names.GUARDIAN_EDUCATION)
        self.parent_education = Weighted(names.PARENT_EDUCATION)

    def parents(self, kid: Kid, father_surname: str, born: date, change: bool) -> None:
        """Names and phones of both parents; where the away ones work and since when."""
        rng, row, phones = self.rng, kid.row, self.world.phones
        row["father_name"] = self.namer.full(names.MAN_NAMES, father_surname)
        row["mother_name"] = self.namer.full(names.WOMAN_NAMES)
        earliest = max(born + timedelta(180), date(2015, 1, 1))
        latest = self.world.anchor - timedelta(100)
        away = {}
        if kid.lb in (FATHER, BOTH):
            away["father"] = between(rng, earliest, latest)
        if kid.lb in (MOTHER, BOTH):
            away["mother"] = between(rng, earliest, latest)
        kid.lb_since = max(away.values()) if away else None
        changed = self.world.anchor - timedelta(rng.randint(100, 270))
        if change and kid.lb == BOTH and earliest < changed - timedelta(180):
            first, then = rng.choice([("father", "mother"), ("mother", "father")])
            away[first] = between(rng, earliest, changed - timedelta(180))
            away[then] = changed
            kid.lb_since = away[first]
            kid.lb_change = (FATHER if first == "father" else MOTHER, changed)
        jobs = {"father": names.FATHER_JOBS, "mother": names.MOTHER_JOBS}
        for parent in ("father", "mother"):
            row[f"{parent}_phone"] = phones.new()
            row[f"{parent}_away_since"] = away.get(parent)
            if parent in away:
                province = self.work.draw(rng)
                row[f"{parent}_work_province"] = province
                row[f"{parent}_work_city"] = rng.choice(names.WORK_PLACES[province][1])
                row[f"{parent}_work_detail"] = rng.choice(jobs[parent])
                continue
            row[f"{parent}_work_province"] = row[f"{parent}_work_city"] = None
            if kid.lb == NONE:
                row[f"{parent}_work_detail"] = rng.choice(names.AT_HOME_WORK)
            else:  # the parent at home cannot look after the child, hence left-behind
                row[f"{parent}_work_detail"] = f"在家（{rng.choice(names.AT_HOME_UNABLE)}）"

    def guardian(self, kid: Kid, father_surname: str, phone_gap: bool) -> None:
        """Left-behind children live mostly with grandparents; the others with their parents."""
        rng, row = self.rng, kid.row
        if kid.lb == NONE:
            parent = "mother" if rng.random() < 0.65 else "father"
            relation = "母亲" if parent == "mother" else "父亲"
            age = self.world.anchor.year - row["birth_date"].year + rng.randint(24, 36)
            row |= {
                "guardian_name": row[f"{parent}_name"],
                "guardian_phone": row[f"{parent}_phone"],
                "guardian_age": age,
                "guardian_health": "良好" if rng.random() < 0.85 else "一般",
                "guardian_education": self.parent_education.draw(rng),
                "lives_with": "父母",
            }
        else:
            relation, _, low, high = self.relations.draw(rng)
            grandparent = relation in names.GRANDPARENT_RELATIONS
            if grandparent:
                age = rng.randint(70, 78) if rng.random() < OLD_GUARDIANS else rng.randint(55, 69)
            else:
                age = rng.randint(low, high)
            lives_with = names.LIVES_WITH_BY_RELATION[relation]
            if kid.lb != BOTH:
                lives_with = ("母亲、" if kid.lb == FATHER else "父亲、") + lives_with
            education = self.guardian_education if grandparent else self.parent_education
            row |= {
                "guardian_name": self.guardian_name(relation, father_surname, row["mother_name"]),
                "guardian_phone": self.world.phones.new(),
                "guardian_age": age,
                "guardian_health": self.guardian_health.draw(rng),
                "guardian_education": education.draw(rng),
                "lives_with": lives_with,
            }
        row["guardian_relation"] = relation
        kid.guardian_call = phrases.RELATION_CALLS[relation]
        if phone_gap:
            # Not yet known (a new guardian): the archive is incomplete, the risk list asks for it.
            # A wrong number never gets in: the grid and the import refuse it.
            row["guardian_phone"] = None

    def guardian_name(self, relation: str, father_surname: str, mother_name: str) -> str:
        surname = {
            "祖父": father_surname,
            "叔叔": father_surname,
            "伯父": father_surname,
            "姑姑": father_surname,
            "哥哥": father_surname,
            "外祖父": mother_name[0],
            "舅舅": mother_name[0],
        }.get(relation)
        pool = {
            "祖父": names.OLD_MAN_NAMES,
            "外祖父": names.OLD_MAN_NAMES,
            "祖母": names.OLD_WOMAN_NAMES,
            "外祖母": names.OLD_WOMAN_NAMES,
            "姑姑": names.WOMAN_NAMES,
            "哥哥": names.BOY_NAMES,
        }.get(relation, names.MAN_NAMES)
        return self.namer.full(pool, surname)


def between(rng: random.Random, first: date, last: date) -> date:
    """A random day in [first, last]."""
    return first + timedelta(rng.randint(0, max(0, (last - first).days)))
