"""The plan's 25 indicators (分项指标) and its yearly targets, declared with the plan's targets and definitions.

Features measure them elsewhere in this package (jobs.py, security.py, survey.py …); an indicator whose feature
is not built yet stays declared without a measure and shows "no data".
"""

from estate_pwa.services.indicators.registry import Base, Indicator, Op, Unit, declare

P, C = Unit.PERCENT, Unit.COUNT
GE, LE = Op.AT_LEAST, Op.AT_MOST
POPULATION = (Base.HOUSEHOLDS, Base.RESIDENTS)
INTACT_ZH = ("完好 = 当时未处于缺陷状态(缺陷自发现起,至维修关闭并复检合格止);期间值 = 完好的资产·天数 ÷ 资产·天数"
             "(按数量加权,计入期间内已巡检的在册资产)。期间内未巡检的资产不计入分子分母,另列为“未巡检”。")
INTACT_EN = ("Intact = not defective at that moment (a defect counts from when it is found until its repair is "
             "closed and a re-inspection passes); for a period, intact asset-days ÷ asset-days, weighted by quantity, "
             "over the registered assets inspected in the period. Assets not inspected in the period are left out of "
             "both and shown apart as \"not inspected\".")


def _intact(key: str, number: int, zh: str, en: str, target: float, counted_zh: str, counted_en: str) -> None:
    declare(Indicator(key, number, zh, en, GE, target, P, "facilities",
                      f"按{counted_zh}计。{INTACT_ZH}", f"Counted by {counted_en}. {INTACT_EN}"))


_intact("housing_intact", 1, "房屋完好率", "Housing intact rate", 100, "建筑面积(完好 + 基本完好)", "floor area (good + basically good)")
declare(Indicator(
    "repair_timeliness", 2, "房屋零修、急修及时率", "Repairs finished on time (routine and emergency)", GE, 99, P, "jobs",
    "及时 = 在承诺完成时间之前完成(扣除业主原因的暂停)。分子:期间内到期且按时完成的报修;分母:期间内到期(承诺时间已过)的全部报修,"
    "含尚未完成的。急修与零修分开显示。",
    "On time = finished by the promised time (resident-caused pauses excluded). Numerator: repairs that fell due in "
    "the period and were finished on time; denominator: every repair that fell due in the period (its promised "
    "time has passed), finished or not. Emergency and routine repairs are also shown apart."))
declare(Indicator(
    "repair_timeliness_emergency", 2, "急修及时率", "Emergency repairs on time", GE, 99, P, "jobs",
    "同上,仅急修。", "As above, emergency repairs only.", parent="repair_timeliness"))
declare(Indicator(
    "repair_timeliness_routine", 2, "零修及时率", "Routine repairs on time", GE, 99, P, "jobs",
    "同上,仅零修。", "As above, routine repairs only.", parent="repair_timeliness"))
declare(Indicator(
    "repair_quality", 3, "维修工程质量合格率", "Repair quality pass rate", GE, 100, P, "jobs",
    "分子:期间内完成且经管理人员评定质量合格的维修;分母:期间内完成且已评定质量的维修(未评定的不计)。",
    "Numerator: repairs finished in the period that a manager marked as passing quality; denominator: repairs "
    "finished in the period whose quality was marked (unmarked ones are not counted)."))
declare(Indicator(
    "fee_collection", 4, "管理费收缴率", "Management fee collection rate", GE, 98, P, "fees",
    "分子:期间内各月账单的实收金额(作废的收款不计);分母:这些账单的应收金额。按户数、当期与清欠另列。",
    "Numerator: the amount received for the bills of the period's months (voided payments not counted); "
    "denominator: the amount those bills are for. By count of units, current and arrears recovered shown apart."))
declare(Indicator(
    "fee_collection_units", 4, "按户数收缴率", "Collection by units", GE, 98, P, "fees",
    "期间内各月账单中已全额缴清的户·月数 ÷ 账单户·月数。",
    "Unit-months of the period paid in full ÷ unit-months billed.", parent="fee_collection"))
declare(Indicator(
    "fee_collection_current", 4, "当期收缴率", "Collected within the period", GE, 98, P, "fees",
    "期间内收到的、属于本期账单的款项 ÷ 本期应收。",
    "Payments received within the period for its own bills ÷ the amount due.", parent="fee_collection"))
declare(Indicator(
    "fee_arrears_recovery", 4, "清欠率", "Arrears recovered", GE, 0, P, "fees",
    "期间内收回的往期欠费 ÷ 期初往期欠费余额。",
    "Arrears from earlier periods received within the period ÷ what they owed at its start.",
    parent="fee_collection"))
_intact("greenery_intact", 5, "绿化完好率", "Greenery intact rate", 99, "绿地面积(m²)", "green area (m²)")
declare(Indicator(
    "cleaning_rate", 6, "清洁、保洁率", "Cleaning pass rate", GE, 99, P, "cleaning",
    "分子:期间内抽查合格的项数;分母:期间内抽查的项数(每次抽查按清单逐项评定合格/不合格)。",
    "Numerator: items that passed inspection in the period; denominator: items inspected in the period (each "
    "inspection marks every item of the area's checklist pass or fail)."))
_intact("road_intact", 7, "道路完好率及使用率", "Roads intact and usable", 100, "道路面积(m²)", "road area (m²)")
_intact("wells_intact", 8, "化粪池、雨水井、污水井、沙井完好率", "Septic tanks and wells intact", 100, "数量", "count")
_intact("drains_intact", 9, "排水管、明暗沟完好率", "Drains and ditches intact", 100, "长度(米)", "length (m)")
_intact("street_lights_intact", 10, "路灯完好率", "Street lights intact", 100, "盏数", "count")
_intact("car_park_intact", 11, "汽车场完好率", "Car parks intact", 100, "面积(m²)", "area (m²)")
_intact("public_facilities_intact", 12, "公共文体设施、建筑小品完好率", "Sports, culture and landscape facilities intact",
        100, "数量", "count")
declare(Indicator(
    "major_crimes", 13, "小区内重大刑事案件发生率", "Major criminal cases", LE, 0, C, "incidents",
    "期间内经管理人员认定为重大刑事案件(杀人、强奸、抢劫、纵火、爆炸、绑架、盗窃机动车等)的治安事件数。任何一起即未达标,并阻断创优。",
    "Security incidents in the period that a manager classed as a major criminal case (homicide, rape, robbery, "
    "arson, explosion, kidnapping, vehicle theft …). Any one misses the target and blocks certification."))
declare(Indicator(
    "public_order_cases", 14, "小区内治安案件发生率", "Public-order cases", LE, 1, C, "incidents",
    "期间内上报的治安类事件数(重大刑事案件另计)。目标按年计(≤1 起/年):所选期间的次数与年度目标比较。",
    "Security incidents reported in the period (major criminal cases counted apart). The target is per year "
    "(≤ 1 a year): the period's count is compared with the yearly target.", per_year=True))
_intact("fire_equipment_intact", 15, "消防设施、设备完好率", "Fire equipment intact", 100, "件数", "items")
declare(Indicator(
    "fire_alarm_rate", 16, "火警发生率", "Fire alarm rate", LE, 1, P, "incidents",
    "期间内火警次数 ÷ 入住户数(或住户人数,按小区设置)。",
    "Fire alarms in the period ÷ occupied households (or residents, as the estate sets).", bases=POPULATION))
declare(Indicator(
    "fire_rate", 17, "火灾发生率", "Fire rate", LE, 0, P, "incidents",
    "期间内经确认为火灾的火警次数 ÷ 入住户数(或住户人数)。任何一起火灾阻断创优。",
    "Fire alarms confirmed as fires in the period ÷ occupied households (or residents). Any fire blocks "
    "certification.", bases=POPULATION))
declare(Indicator(
    "violation_rate", 18, "违章发生率", "Violation rate", LE, 2, P, "incidents",
    "期间内发现的违章(违章装修、搭建、停放等)次数 ÷ 入住户数(或住户人数)。方案写作“2%”,按不超过 2% 计。",
    "Violations found in the period (unauthorised works, structures, parking …) ÷ occupied households (or "
    "residents). The plan says \"2%\"; read as at most 2%.", bases=POPULATION))
declare(Indicator(
    "violation_handling", 19, "违章处理率", "Violations handled", GE, 100, P, "incidents",
    "分子:期间内发现且已处理(关闭并写明处理结果)的违章;分母:期间内发现的违章。",
    "Numerator: violations found in the period and handled (closed with a note); denominator: violations found in "
    "the period."))
declare(Indicator(
    "effective_complaint_rate", 20, "用户有效投诉率", "Effective complaint rate", LE, 2, P, "jobs",
    "有效投诉 = 工作人员核实确属物业服务责任的投诉。期间内收到的有效投诉 ÷ 入住户数(或住户人数,按小区设置)。",
    "An effective complaint is one staff confirmed was the service's fault. Effective complaints received in the "
    "period ÷ occupied households (or residents, as the estate sets).", bases=POPULATION))
declare(Indicator(
    "effective_complaint_handling", 21, "有效投诉处理率", "Effective complaints handled", GE, 100, P, "jobs",
    "分子:期间内收到、已答复并办结的有效投诉;分母:期间内收到的有效投诉。",
    "Numerator: effective complaints received in the period that were answered and closed; denominator: "
    "effective complaints received in the period."))
declare(Indicator(
    "management_training", 22, "管理层员工专业培训合格率", "Management staff training pass rate", GE, 100, P, "training",
    "培训合格的管理层人数 ÷ 参加培训的管理层人数。培训功能上线后计算。",
    "Managers who passed training ÷ managers trained. Computed once training is built."))
declare(Indicator(
    "special_staff_certified", 23, "特种作业员工持证上岗率", "Special-trade staff certified", GE, 100, P, "training",
    "持有效证件在岗人数 ÷ 特种作业岗位在岗人数。证书登记上线后计算。",
    "Staff on duty with a valid certificate ÷ staff on duty in special trades. Computed once certificates are built."))
declare(Indicator(
    "repair_follow_up", 24, "维修服务回访率", "Repair follow-up rate", GE, 30, P, "jobs",
    "分子:期间内完成且已回访的维修;分母:期间内完成的维修。",
    "Numerator: repairs finished in the period whose follow-up visit was made; denominator: repairs finished in "
    "the period."))
declare(Indicator(
    "satisfaction", 25, "业主(住户)对物业管理综合满意率", "Overall resident satisfaction", GE, 98, P, "survey",
    "(满意 + 基本满意)÷ 期间内作答的户数(每户每次调查一份);同时显示回收率,以及更严格的 ÷ 入住户数(未作答视为不满意)。",
    "(Satisfied + fairly satisfied) ÷ households that answered in the period (one answer per household per survey); "
    "shown with the response rate and, stricter, ÷ occupied households (no answer counts as not satisfied).",
    bases=(Base.ANSWERED, Base.HOUSEHOLDS)))
declare(Indicator(
    "satisfaction_strict", 25, "综合满意率(按入住户数)", "Satisfaction over occupied households", GE, 98, P, "survey",
    "(满意 + 基本满意)÷ 入住户数,未作答的户视为不满意。", "(Satisfied + fairly satisfied) ÷ occupied households; "
    "households that did not answer count as not satisfied.", parent="satisfaction"))
declare(Indicator(
    "survey_response", 25, "调查回收率", "Survey response rate", GE, 0, P, "survey",
    "期间内作答的户数 ÷ 入住户数。", "Households that answered in the period ÷ occupied households.",
    parent="satisfaction"))
declare(Indicator(
    "community_activities", 0, "社区文化活动(每年)", "Community activities a year", GE, 12, C, "activities",
    "每年不少于 12 次,每次参与不少于 300 人;只计参与达到 300 人的活动。活动功能上线后计算。",
    "At least 12 a year with at least 300 people each; only activities reaching 300 people count. Computed once "
    "activities are built.", per_year=True))
declare(Indicator(
    "special_services", 0, "特约服务项目", "Special services offered", GE, 10, C, "services",
    "服务目录中在用、明码标价的特约服务项目数(不少于 10 项),按当前目录计。",
    "Active special services on the menu at a marked price (at least 10), as the menu stands now."))
