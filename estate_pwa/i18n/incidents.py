"""Incidents reported by guards, and SOS."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    "incident.serious_security": Text("认定为重大刑事案件", "Classed as a major criminal case"),
    "incident.serious_fire_alarm": Text("确认为火灾(不仅是火警)", "Confirmed as a fire (not only an alarm)"),
    # page titles (page_title)
    "title.incident": Text("事件上报", "Report an incident"),
    # incident
    "incident.title": Text("事件上报", "Report an incident"),
    "incident.where": Text("所在巡更点(可选,随求助和上报一起发送)", "Checkpoint (optional, sent with an SOS or a report)"),
    "incident.no_point": Text("不选巡更点", "No checkpoint"),
    "incident.category": Text("事件类别", "Category"),
    "incident.category_security": Text("治安", "Security"),
    "incident.category_fire_alarm": Text("火警", "Fire alarm"),
    "incident.category_violation": Text("违章", "Violation"),
    "incident.category_facility_damage": Text("设施损坏", "Facility damage"),
    "incident.category_other": Text("其他", "Other"),
    "incident.text": Text("描述发现的情况(必填)", "Describe what you found (required)"),
    "incident.submit": Text("上报", "Report"),
    "incident.reported": Text("已上报,物业经理会尽快处理", "Reported: the manager will deal with it"),
    "incident.mine": Text("我最近7天的上报", "My reports of the last 7 days"),
    "incident.none_mine": Text("最近7天没有上报", "Nothing reported in the last 7 days"),
    "incident.status_open": Text("待处理", "Open"),
    "incident.status_closed": Text("已关闭", "Closed"),
    "incident.open_title": Text("待处理事件", "Open incidents"),
    "incident.none_open": Text("没有待处理的事件", "No open incidents"),
    "incident.close_note": Text("处理结果(必填)", "How it was dealt with (required)"),
    "incident.close": Text("关闭事件", "Close"),
    "incident.closed_done": Text("事件已关闭", "Incident closed"),
    # sos
    "sos.button": Text("SOS 紧急求助", "SOS: call for help"),
    "sos.confirm_title": Text("确认发送紧急求助?", "Send an emergency call?"),
    "sos.confirm_text": Text("所有物业经理的屏幕会立即报警", "Every manager's screen raises the alarm at once"),
    "sos.confirm": Text("确认发送", "Send"),
    "sos.sent": Text("求助已发送,已通知物业经理", "Sent: managers alerted"),
    "sos.banner": Text("紧急求助", "SOS"),
    "sos.no_point": Text("位置未选", "No checkpoint given"),
    "sos.acknowledge": Text("收到", "Acknowledge"),
    # error
    "error.incident_category": Text("请选择事件类别", "Choose a category"),
    "error.point_unknown": Text("找不到该巡更点", "No such checkpoint"),
    "error.incident_closed": Text("该事件已关闭", "This incident is already closed"),
    "error.note_required": Text("请填写处理结果", "Say how it was dealt with"),
    "error.sos_duplicate": Text("1分钟内已发送过求助,经理已收到报警,请保持安全",
                                "You called for help less than a minute ago: managers are alerted, stay safe"),
    "error.sos_acknowledged": Text("该求助已有经理确认", "A manager has already acknowledged this SOS"),
    # audit
    "audit.incident_reported": Text("上报事件", "reported an incident"),
    "audit.incident_closed": Text("关闭事件", "closed an incident"),
    "audit.incident_refused": Text("事件操作被拒绝", "was refused an incident action"),
    "audit.sos_raised": Text("发出紧急求助", "called for help (SOS)"),
    "audit.sos_acknowledged": Text("确认紧急求助", "acknowledged an SOS"),
    "audit.sos_refused": Text("紧急求助操作被拒绝", "was refused an SOS action"),
}
