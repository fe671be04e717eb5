"""The app, navigation, roles, weekdays, shared buttons and errors any feature may raise."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    # app
    "app.name": Text("智慧物业", "Estate"),
    "app.offline": Text("当前离线,联网后自动更新", "You are offline; this screen updates when the connection returns"),
    "app.reconnecting": Text("正在重新连接…", "Reconnecting…"),
    # lang
    "lang.switch": Text("English", "中文"),
    # weekday
    "weekday.0": Text("周一", "Mon"),
    "weekday.1": Text("周二", "Tue"),
    "weekday.2": Text("周三", "Wed"),
    "weekday.3": Text("周四", "Thu"),
    "weekday.4": Text("周五", "Fri"),
    "weekday.5": Text("周六", "Sat"),
    "weekday.6": Text("周日", "Sun"),
    # role
    "role.manager": Text("物业经理", "Manager"),
    "role.guard": Text("保安", "Guard"),
    "role.cleaner": Text("保洁", "Cleaner"),
    "role.technician": Text("维修技师", "Technician"),
    "role.resident": Text("业主", "Resident"),
    "role.inspector": Text("保洁检查员", "Cleaning inspector"),
    # nav
    "nav.home": Text("首页", "Home"),
    "nav.staff": Text("员工", "Staff"),
    "nav.units": Text("房屋", "Units"),
    "nav.me": Text("我的", "Me"),
    "nav.jobs": Text("工单", "Jobs"),
    "nav.patrol": Text("巡更", "Patrol"),
    "nav.scan": Text("扫码", "Scan"),
    "nav.incident": Text("上报", "Report"),
    "nav.requests": Text("报事", "Requests"),
    # common
    "common.save": Text("保存", "Save"),
    "common.cancel": Text("取消", "Cancel"),
    "common.soon": Text("即将开放", "Coming soon"),
    "common.loading": Text("加载中…", "Loading…"),
    # error
    "error.login_required": Text("请先登录", "Please log in"),
    "error.not_found": Text("记录不存在", "Not found"),
    "error.bad_request": Text("请求无效", "Invalid request"),
    "error.text_too_long": Text("内容最多 {limit} 个字", "At most {limit} characters"),
    "error.bad_time": Text("时间无效", "Invalid time"),
    "error.description_required": Text("请描述问题", "Describe the problem"),
    "error.too_many_photos": Text("每个环节最多 {limit} 张照片", "At most {limit} photos per step"),
    "error.bad_photo": Text("无法读取该照片,请使用 JPG 或 PNG", "This photo cannot be read; use JPG or PNG"),
    # audit
    "audit.system": Text("系统", "System"),
}
