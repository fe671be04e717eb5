"""Each role's home screen: the manager's overview, the staff homes, the resident's home."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    # page titles (page_title)
    "title.manager": Text("管理概览", "Overview"),
    "title.guard": Text("保安", "Guard"),
    "title.cleaner": Text("保洁", "Cleaning"),
    "title.technician": Text("维修", "Repairs"),
    "title.resident": Text("我的家", "My home"),
    # manager
    "manager.title": Text("管理概览", "Overview"),
    "manager.buildings": Text("楼栋", "Buildings"),
    "manager.units": Text("户数", "Units"),
    "manager.occupied": Text("已入住", "Occupied"),
    "manager.residents": Text("业主账号", "Resident accounts"),
    "manager.staff": Text("在岗员工", "Active staff"),
    "manager.facilities": Text("设施完好", "Facilities in order"),
    "manager.on_duty": Text("当前值班", "On duty now"),
    "manager.nobody_on_duty": Text("当前无人值班", "Nobody is on duty now"),
    "manager.recent": Text("最近操作", "Recent activity"),
    # home
    "home.on_duty": Text("值班中", "On duty"),
    "home.off_duty": Text("未在班", "Off duty"),
    "home.shift_until": Text("{shift} · 至 {until}", "{shift} · until {until}"),
    "home.next_shifts": Text("我的排班", "My shifts"),
    "home.no_shifts": Text("未来7天没有排班", "No shifts in the next 7 days"),
    # guard
    "guard.title": Text("保安值班", "Guard duty"),
    # cleaner
    "cleaner.title": Text("保洁工作", "Cleaning"),
    # technician
    "technician.title": Text("维修工单", "Repair jobs"),
    # resident
    "resident.title": Text("我的家", "My home"),
    "resident.unit": Text("{building} {unit} · {area} ㎡", "{building} {unit} · {area} m²"),
    "resident.members": Text("家庭成员", "Household"),
    "resident.services": Text("物业服务", "Services"),
    "resident.repair": Text("报修", "Report a repair"),
    "resident.menu": Text("特约服务", "Special services"),
    "resident.hotline": Text("物业服务中心 24 小时值班", "Management office, staffed 24 hours"),
}
