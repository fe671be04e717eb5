"""The demo's repairs, complaints and suggestions, each told as a story through the jobs services: reported by a
resident (or recorded by the office), dispatched or claimed, accepted with a promise, some late, paused,
postponed or reopened, finished, rated, quality-marked and visited again; complaints and suggestions replied to
(some late), some complaints confirmed effective."""

from datetime import datetime, timedelta

from sqlmodel import col, select

from estate_pwa.models import Estate, FollowUp, RepairCategory, RequestKind, ServiceRequest, Urgency
from estate_pwa.services import jobs
from estate_pwa.services.demo.world import Story, World, hours, minutes, pick

REPAIRS_PER_DAY = 1.3
COMPLAINTS_PER_DAY = 0.3
SUGGESTIONS_PER_DAY = 0.15

REPAIR_TEXTS = {
    RepairCategory.PLUMBING: ("厨房水龙头漏水", "卫生间下水道堵塞", "马桶水箱不停进水", "阳台地漏返味", "热水器进水管渗水"),
    RepairCategory.ELECTRICAL: ("客厅插座没电", "卧室灯不亮", "空气开关频繁跳闸", "门铃不响", "浴霸开关失灵"),
    RepairCategory.DOORS_WINDOWS: ("入户门锁卡顿", "阳台推拉窗关不严", "卧室门合页松动", "纱窗破损", "防盗门闭门器漏油"),
    RepairCategory.APPLIANCE: ("可视对讲机无画面", "燃气报警器误报", "抽油烟机不转", "新风系统异响"),
    RepairCategory.OTHER: ("墙面渗水发霉", "天花板石膏线开裂", "地砖空鼓", "晾衣架升降不灵"),
}
AREA_TEXTS = ("走廊灯不亮", "电梯按钮失灵", "楼道防火门关不上", "大堂玻璃门感应失灵", "单元门禁刷卡无反应", "楼梯扶手松动")
COMPLAINT_TEXTS = ("夜间装修噪音扰民，物业未制止", "垃圾清运不及时，楼下有异味", "保安对外来车辆登记不严", "维修师傅上门迟到一个多小时",
                   "楼道堆放杂物长期无人清理", "地下车库照明不足", "电梯停运没有提前通知", "绿化带修剪后枝叶未清走")
SUGGESTION_TEXTS = ("建议在中心花园增设座椅", "建议快递柜增加冷藏格口", "建议增设电动车充电桩", "建议儿童游乐区铺设软垫",
                    "建议公告栏同时在小程序发布", "建议增加夜间巡逻频次")
REPLIES = ("已安排专人处理，感谢您的反馈", "已与相关人员沟通并整改，请您监督", "已列入本月整改计划", "已处理完毕，如仍有问题请随时联系")
WORK_DONE = {
    RepairCategory.PLUMBING: ("更换水龙头阀芯", "疏通下水管道", "更换进水阀", "更换地漏防臭芯"),
    RepairCategory.ELECTRICAL: ("更换插座面板", "更换灯泡及镇流器", "排查线路并更换空开", "更换开关"),
    RepairCategory.DOORS_WINDOWS: ("更换锁芯", "调整窗扇并更换密封条", "紧固合页", "更换纱网"),
    RepairCategory.APPLIANCE: ("更换对讲主板", "清洁传感器并复位", "更换电机电容"),
    RepairCategory.OTHER: ("处理渗水点并重新刷漆", "修补石膏线", "重新铺贴地砖", "更换钢丝绳"),
    RepairCategory.PUBLIC_AREA: ("更换灯具", "更换按钮面板", "调整闭门器", "修复门禁读卡器", "紧固扶手"),
}
PARTS = ("阀芯 x1", "灯泡 x2", "空气开关 x1", "锁芯 x1", "密封条 3m", None, None)


def stories(world: World) -> list[Story]:
    """A story per request over the history, by day (a few more today, so the boards have live work)."""
    rng, told = world.rng, []
    for day in world.days():
        for _ in range(_how_many(rng, REPAIRS_PER_DAY)):
            told.append(repair(world, world.at_local(day, rng.uniform(7.5, 21.5))))
        for _ in range(_how_many(rng, COMPLAINTS_PER_DAY)):
            told.append(feedback(world, RequestKind.COMPLAINT, world.at_local(day, rng.uniform(8, 21))))
        for _ in range(_how_many(rng, SUGGESTIONS_PER_DAY)):
            told.append(feedback(world, RequestKind.SUGGESTION, world.at_local(day, rng.uniform(8, 21))))
    return told + live(world)


def _how_many(rng, mean: float) -> int:
    """A small count around `mean` (binomial over 4 tries)."""
    return sum(rng.random() < mean / 4 for _ in range(4))


def live(world: World) -> list[Story]:
    """Today's work in every open state: the day technician's dispatched, accepted and paused jobs, an overdue
    emergency of the night technician's, one in the pool, the demo resident's repair waiting for her rating and a complaint waiting for a reply."""
    end, tech = world.end, world.day_technician
    return [
        repair(world, end - hours(5), technician=tech, plan="open", category=RepairCategory.PLUMBING),
        repair(world, end - minutes(50), technician=tech, plan="waiting", urgency=Urgency.EMERGENCY,
               category=RepairCategory.ELECTRICAL),
        repair(world, end - hours(3), technician=tech, plan="paused_open", category=RepairCategory.DOORS_WINDOWS),
        repair(world, end - hours(7), technician=world.night_technician, plan="open", urgency=Urgency.EMERGENCY,
               category=RepairCategory.PLUMBING),
        repair(world, end - minutes(12), plan="pool", category=RepairCategory.APPLIANCE),
        repair(world, end - hours(26), resident=world.demo_resident, technician=tech, plan="unrated",
               category=RepairCategory.PLUMBING),
        repair(world, end - hours(20 * 24), resident=world.demo_resident, technician=tech, plan="on_time",
               category=RepairCategory.ELECTRICAL),
        feedback(world, RequestKind.COMPLAINT, end - hours(3), resident=world.demo_resident, plan="waiting"),
    ]


def repair(world: World, received: datetime, *, resident=None, technician=None, plan: str | None = None,
           urgency: str | None = None, category: str | None = None) -> Story:
    """One repair from report to follow-up visit; `plan` forces its course (else chosen at random)."""
    rng, session, office = world.rng, world.session, world.manager
    urgency = urgency or (Urgency.EMERGENCY if rng.random() < 0.2 else Urgency.ROUTINE)
    in_common_area = resident is None and category is None and rng.random() < 0.15
    plan = plan or pick(rng, {"on_time": 68, "late": 5, "paused": 7, "postponed": 7, "postponed_late": 1,
                              "reopened": 5, "unrated": 6})
    resident = resident or rng.choice(world.residents)
    yield received
    if in_common_area:
        request = jobs.record_on_behalf(session, office, None, RequestKind.REPAIR, rng.choice(AREA_TEXTS),
                                        RepairCategory.PUBLIC_AREA, urgency, area_id=rng.choice(world.area_ids),
                                        now=world.now)
    else:
        category = category or rng.choice(list(REPAIR_TEXTS))
        request = jobs.submit(session, resident, RequestKind.REPAIR, rng.choice(REPAIR_TEXTS[category]), category,
                              urgency, now=world.now)
    if plan == "pool":
        return
    tech = technician or world.technician_at(received)
    yield world.now + minutes(rng.uniform(0.5, 2.8) if rng.random() < 0.9 else rng.uniform(4, 15))
    yield from _dispatch(world, request, tech)
    if rng.random() < 0.05:
        yield world.now + minutes(1)
        jobs.excuse_late_arrival(session, tech, request.id, "上一单急修未完成，已电话告知业主", True, now=world.now)
    if plan == "waiting":
        return
    yield world.now + minutes(rng.uniform(1, 12))
    jobs.accept(session, tech, request.id, now=world.now)
    rounds = 2 if plan == "reopened" else 1
    for attempt in range(rounds):
        if attempt:  # the resident was not satisfied: the office sends the technician again
            yield world.now + minutes(rng.uniform(20, 90))
            jobs.dispatch(session, office, request.id, tech.id, now=world.now)
            yield world.now + minutes(rng.uniform(2, 10))
            jobs.accept(session, tech, request.id, now=world.now)
        yield from _work(world, request, tech, plan if not attempt else "on_time")
        if plan in ("open", "paused_open"):
            return
        if request.reporter_id is None:
            break
        if plan == "unrated" or (attempt == rounds - 1 and rng.random() < 0.12):
            break
        yield world.now + hours(rng.uniform(1, 30))
        satisfied = not (plan == "reopened" and attempt == 0)
        jobs.rate(session, resident, request.id, satisfied,
                  None if satisfied else "问题没有解决，还是漏", now=world.now)
    yield from _after_work(world, request)


def _dispatch(world: World, request: ServiceRequest, tech) -> Story:
    """The office dispatches; a third of the time the technician claims it from the pool instead (under the cap)."""
    session = world.session
    cap = session.get(Estate, request.estate_id).open_jobs_cap
    if world.rng.random() < 0.3 and jobs.open_jobs(session, tech.id) < cap:
        jobs.claim(session, tech, request.id, now=world.now)
    else:
        jobs.dispatch(session, world.manager, request.id, tech.id, now=world.now)
    return
    yield


def _work(world: World, request: ServiceRequest, tech, plan: str) -> Story:
    """From accepted to finished (or left open today): on time, late, paused, postponed (once, and late or not)."""
    rng, session = world.rng, world.session
    accepted, promised = world.now, request.promised_at
    span = promised - accepted
    if plan == "open":
        return
    if plan == "paused_open":
        yield world.now + minutes(rng.uniform(15, 40))
        jobs.pause(session, tech, request.id, "resident_not_home", now=world.now)
        return
    if plan == "paused":
        yield world.now + minutes(rng.uniform(15, 40))
        jobs.pause(session, tech, request.id, rng.choice(jobs.PAUSE_REASONS), now=world.now)
        paused_for = hours(rng.uniform(1, 20))
        yield world.now + paused_for
        jobs.resume(session, tech, request.id, now=world.now)
        promised += paused_for
    if plan in ("postponed", "postponed_late"):
        yield world.now + minutes(rng.uniform(30, 120))
        new_promise = promised + timedelta(days=1)
        jobs.postpone(session, tech, request.id, new_promise, "需订购配件，业主同意延期", now=world.now)
        span, promised = new_promise - accepted, new_promise
    if plan in ("late", "postponed_late"):
        finished = promised + hours(rng.uniform(0.5, 12))
    else:
        finished = accepted + span * rng.uniform(0.15, 0.85)
    yield max(finished, world.now + minutes(10))
    category = RepairCategory(request.category)
    jobs.complete(session, tech, request.id, rng.choice(WORK_DONE[category]), rng.choice(PARTS), now=world.now)


def _after_work(world: World, request: ServiceRequest) -> Story:
    """The manager marks quality on most finished repairs; the follow-up visits are made within days."""
    rng, session, office = world.rng, world.session, world.manager
    done = world.now
    steps = []
    if rng.random() < 0.75:
        steps.append((done + hours(rng.uniform(2, 48)), "quality"))
    if rng.random() < 0.95:
        steps.append((done + hours(rng.uniform(4, 72)), "visit"))
    for moment, step in sorted(steps):
        yield max(moment, world.now)
        if step == "quality":
            jobs.mark_quality(session, office, request.id, rng.random() < 0.96)
            continue
        pending = session.exec(select(FollowUp).where(FollowUp.request_id == request.id,
                                                      col(FollowUp.done_at).is_(None))).all()
        for follow_up in pending:
            pleased = rng.random() < 0.92
            jobs.record_follow_up(session, office, follow_up.id,
                                  "业主表示维修效果良好" if pleased else "业主反映仍有轻微问题，已安排复查", pleased,
                                  now=world.now)


def feedback(world: World, kind: str, received: datetime, *, resident=None, plan: str | None = None) -> Story:
    """A complaint or suggestion: reported, replied to (now and then after the 2 days), confirmed effective or not
    (complaints), then confirmed or reopened by the resident."""
    rng, session, office = world.rng, world.session, world.manager
    resident = resident or rng.choice(world.residents)
    texts = COMPLAINT_TEXTS if kind == RequestKind.COMPLAINT else SUGGESTION_TEXTS
    yield received
    request = jobs.submit(session, resident, kind, rng.choice(texts), now=world.now)
    if plan == "waiting":
        return
    yield world.now + (hours(rng.uniform(1, 40)) if rng.random() < 0.9 else hours(rng.uniform(50, 80)))
    jobs.reply(session, office, request.id, rng.choice(REPLIES), now=world.now)
    if kind == RequestKind.COMPLAINT:
        yield world.now + minutes(rng.uniform(10, 120))
        jobs.confirm_complaint(session, office, request.id, rng.random() < 0.4)
    if rng.random() < 0.1:
        return  # never confirmed by the resident
    yield world.now + hours(rng.uniform(2, 30))
    reopened = kind == RequestKind.COMPLAINT and rng.random() < 0.12
    jobs.rate(session, resident, request.id, not reopened, "回复没有解决问题" if reopened else None, now=world.now)
    if reopened:
        yield world.now + hours(rng.uniform(4, 30))
        jobs.reply(session, office, request.id, "已再次上门核实并整改完毕", now=world.now)
        yield world.now + hours(rng.uniform(2, 24))
        jobs.rate(session, resident, request.id, True, now=world.now)
