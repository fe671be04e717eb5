"""The demo's asset register (设施台账) and its defects: every category an intact rate is counted over, with
plausible quantities for 翠湖花园 — six buildings by their units' floor area and condition grade, roads, greenery
and car parks in m², wells, street lights, sports facilities, fire equipment and public equipment by item, drains
in metres — about four hundred assets, added through the register a year before the history starts. A few
extinguishers expire within the next 30 days (the register flags them), and staff report some defects over the
90 days, most repaired within days, a few still open.

Its own random generator, so the other stories' data stays as it was."""

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Asset, AssetCategory, Building, Unit
from estate_pwa.services.demo.world import Story, World, hours
from estate_pwa.services.facilities import defects, register

SEED = 20264
REGISTERED_DAYS_BEFORE = 365
DEFECTS_PER_DAY = 0.3
STILL_OPEN = 3
EXPIRING_SOON = 4
NOTES = {
    AssetCategory.STREET_LIGHT: ("灯不亮", "灯杆倾斜", "灯罩破损"),
    AssetCategory.WELL: ("井盖松动", "井盖缺失,已设围挡", "井内淤积"),
    AssetCategory.ROAD: ("路面坑洼", "路沿石松动"),
    AssetCategory.GREEN: ("草坪斑秃", "苗木枯死"),
    AssetCategory.SPORTS_CULTURE: ("健身器材螺丝脱落", "滑梯护栏松动"),
    AssetCategory.DRAIN: ("排水沟堵塞", "盖板破损"),
    AssetCategory.FIRE_EQUIPMENT: ("压力表指针在红区", "铅封脱落", "消火栓箱门损坏"),
    AssetCategory.PUBLIC_EQUIPMENT: ("道闸抬杆失灵", "水泵异响", "电梯平层不准"),
    AssetCategory.CAR_PARK: ("车位线模糊", "减速带松动"),
}
FIX_NOTES = ("已修复", "已更换", "已清理疏通", "已紧固复位")


def _plan(session: Session, world: World, rng: random.Random, today: date) -> list[dict]:
    """The register's rows, as a manager would type them."""
    rows: list[dict] = []

    def add(code: str, category: AssetCategory, subkind: str, name: str, quantity, **more) -> None:
        rows.append({"code": code, "category": category.value, "subkind": subkind, "name": name,
                     "quantity": str(quantity), **more})

    buildings = session.exec(select(Building.name, func.sum(Unit.area_m2)).join(Unit, col(Unit.building_id) == Building.id)
                             .where(Building.estate_id == world.estate.id).group_by(Building.name)
                             .order_by(Building.name)).all()
    for i, (building, area) in enumerate(buildings, start=1):
        floor_area = Decimal(str(round(area * 1.18, 2)))  # units' area plus the common parts
        add(f"FW-{i:02d}", AssetCategory.HOUSING, "building", f"{building}住宅楼", floor_area, building=building,
            grade="basically_good" if i == 4 else "good")
        for floor in range(1, 13):
            for side in ("东", "西"):
                expires = today + timedelta(days=rng.randint(45, 720))
                add(f"MHQ-{i}-{floor:02d}{'EW'[side == '西']}", AssetCategory.FIRE_EQUIPMENT, "extinguisher",
                    f"{building}{floor}层{side}侧灭火器", 1, building=building, location=f"{floor}层{side}侧消防箱",
                    expires_on=expires.isoformat())
        for n in (1, 2):
            add(f"XHS-{i}-{n}", AssetCategory.FIRE_EQUIPMENT, "hydrant", f"{building}室内消火栓{n}", 1,
                building=building)
            add(f"DT-{i}-{n}", AssetCategory.PUBLIC_EQUIPMENT, "lift", f"{building}{n}号电梯", 1, building=building,
                contractor="奥的斯电梯维保")
        add(f"BJ-{i}", AssetCategory.FIRE_EQUIPMENT, "alarm", f"{building}火灾报警控制器", 1, building=building)
    for n, (name, kind, area) in enumerate((("环湖路", "road", 3200), ("南门主干道", "road", 1850),
                                            ("北门主干道", "road", 1620), ("东环路", "road", 1400),
                                            ("西环路", "road", 1380), ("中心花园步道", "path", 640),
                                            ("文化广场步道", "path", 520), ("滨水步道", "path", 760)), start=1):
        add(f"DL-{n:02d}", AssetCategory.ROAD, kind, name, area)
    for n, (name, kind, area) in enumerate((("中心花园", "garden", 2450), ("东侧绿化带", "hedge", 980),
                                            ("西侧绿化带", "hedge", 910), ("南门草坪", "lawn", 1320),
                                            ("北门草坪", "lawn", 1180), ("滨水景观带", "garden", 2120),
                                            ("1-2栋间绿地", "lawn", 460), ("3-4栋间绿地", "lawn", 455),
                                            ("5-6栋间绿地", "lawn", 470), ("儿童乐园绿地", "lawn", 380),
                                            ("文化广场花坛", "garden", 310), ("车库顶板绿化", "lawn", 1650)), start=1):
        add(f"LH-{n:02d}", AssetCategory.GREEN, kind, name, area)
    add("TCC-01", AssetCategory.CAR_PARK, "underground", "地下车库", 12600, location="B1")
    add("TCC-02", AssetCategory.CAR_PARK, "surface", "南门地面停车场", 860)
    add("TCC-03", AssetCategory.CAR_PARK, "surface", "北门访客停车场", 540)
    for n in range(1, 5):
        add(f"PL-{n}", AssetCategory.FIRE_EQUIPMENT, "sprinkler", f"地下车库喷淋{n}区", 1, location="B1")
    for kind, prefix, name, count in (("septic_tank", "HFC", "化粪池", 4), ("rain_well", "YSJ", "雨水井", 40),
                                      ("sewage_well", "WSJ", "污水井", 30), ("sand_well", "SJ", "沙井", 12)):
        for n in range(1, count + 1):
            add(f"{prefix}-{n:02d}", AssetCategory.WELL, kind, f"{n}号{name}", 1)
    for n in range(1, 49):
        add(f"LD-{n:02d}", AssetCategory.STREET_LIGHT, "street_light", f"路灯 L{n:02d}", 1)
    for n in range(1, 31):
        add(f"TYD-{n:02d}", AssetCategory.STREET_LIGHT, "garden_light", f"庭院灯 G{n:02d}", 1)
    for n, (name, kind) in enumerate((("文化广场健身路径", "fitness"), ("中心花园健身器材", "fitness"),
                                      ("儿童乐园滑梯", "playground"), ("儿童乐园秋千", "playground"),
                                      ("儿童乐园沙池", "playground"), ("篮球场", "court"), ("羽毛球场", "court"),
                                      ("门球场", "court"), ("湖心亭", "pavilion"), ("紫藤长廊", "pavilion"),
                                      ("北门景观廊架", "pavilion"), ("翠湖雕塑", "sculpture"),
                                      ("文化广场喷泉", "sculpture"), ("南门景墙", "sculpture"),
                                      ("乒乓球台", "fitness"), ("老年活动室", "court")), start=1):
        add(f"WT-{n:02d}", AssetCategory.SPORTS_CULTURE, kind, name, 1)
    for n, (name, kind, length) in enumerate((("环湖路排水明沟", "open_ditch", 420), ("南区雨水管", "pipe", 310),
                                              ("北区雨水管", "pipe", 295), ("南区污水管", "pipe", 280),
                                              ("北区污水管", "pipe", 265), ("车库截水沟", "covered_ditch", 180),
                                              ("中心花园暗沟", "covered_ditch", 96.5),
                                              ("滨水步道明沟", "open_ditch", 150), ("东环路排水暗沟", "covered_ditch", 210),
                                              ("西环路排水暗沟", "covered_ditch", 205)), start=1):
        add(f"PS-{n:02d}", AssetCategory.DRAIN, kind, name, length)
    for code, kind, name, contractor in (("SB-01", "pump", "生活水泵1号", "恒压供水维保"),
                                         ("SB-02", "pump", "生活水泵2号", "恒压供水维保"),
                                         ("SB-03", "pump", "消防水泵", "消防设施维保"),
                                         ("SB-04", "pump", "车库排污泵", "恒压供水维保"),
                                         ("FDJ-01", "generator", "备用发电机", "柴油发电机维保"),
                                         ("DZ-01", "gate", "南门车行道闸", "智能停车系统"),
                                         ("DZ-02", "gate", "北门车行道闸", "智能停车系统"),
                                         ("DZ-03", "gate", "车库入口道闸", "智能停车系统"),
                                         ("DZ-04", "gate", "车库出口道闸", "智能停车系统")):
        add(code, AssetCategory.PUBLIC_EQUIPMENT, kind, name, 1, contractor=contractor)
    extinguishers = [r for r in rows if r["subkind"] == "extinguisher"]
    for row, days in zip(rng.sample(extinguishers, EXPIRING_SOON), (6, 13, 21, 28), strict=True):
        row["expires_on"] = (today + timedelta(days=days)).isoformat()
    return rows


def register_assets(session: Session, world: World) -> list[Asset]:
    """The register, added by the manager a year before the history (once: nothing if it is there)."""
    if session.exec(select(Asset.id).where(Asset.estate_id == world.estate.id).limit(1)).first() is not None:
        return []
    rng = random.Random(SEED)
    today = world.local(world.end).date()
    added_at = world.start - timedelta(days=REGISTERED_DAYS_BEFORE)
    assets = [register.add_asset(session, world.manager, row, now=added_at) for row in _plan(session, world, rng, today)]
    for asset in assets:  # the yearly condition survey of the buildings, and this month's extinguisher checks
        if asset.category == AssetCategory.HOUSING:
            asset.graded_on = today - timedelta(days=40)
        elif asset.subkind == "extinguisher":
            asset.pressure_checked_on = today - timedelta(days=rng.randint(0, min(5, today.day - 1)))
        session.add(asset)
    session.flush()
    return assets


def stories(world: World) -> list[Story]:
    """Defects reported by staff over the history (not housing: its condition is graded), each repaired after a
    few hours to ten days; the last few still open."""
    rng = random.Random(SEED + 1)
    candidates = list(world.session.exec(select(Asset).where(
        Asset.estate_id == world.estate.id, Asset.category != AssetCategory.HOUSING).order_by(Asset.id)))
    if not candidates:
        return []
    count = int(DEFECTS_PER_DAY * (world.end - world.start).days)
    found = sorted(world.start + (world.end - world.start) * rng.random() for _ in range(count))
    chosen = rng.sample(candidates, count)
    out = []
    for n, (moment, asset) in enumerate(zip(found, chosen, strict=True)):
        repair = None if n >= count - STILL_OPEN else hours(rng.choice((3, 8, 20, 30, 50, 96, 240)))
        out.append(_defect(world, asset, moment, repair, rng.choice(NOTES[AssetCategory(asset.category)]),
                           rng.choice(FIX_NOTES)))
    return out


def _defect(world: World, asset: Asset, found: datetime, repair: timedelta | None, note: str,
            fixed: str) -> Iterator[datetime]:
    yield found
    staff = world.guard_at(found) if asset.category in (AssetCategory.STREET_LIGHT, AssetCategory.WELL) \
        else world.technician_at(found)
    defects.open_defect(world.session, staff, asset.id, "report", note, at=found, now=found)
    if repair is None:
        return
    done = found + repair
    yield done
    defects.close_defect(world.session, world.technician_at(done), asset.id, fixed, at=done, now=done)
