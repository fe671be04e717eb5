"""Staff accounts, units and invite codes, the duty roster."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    # page titles (page_title)
    "title.staff": Text("员工管理", "Staff"),
    "title.units": Text("房屋", "Units"),
    "title.roster": Text("排班", "Roster"),
    # staff
    "staff.title": Text("员工管理", "Staff"),
    "staff.new": Text("新增员工", "New staff account"),
    "staff.roles": Text("岗位", "Roles"),
    "staff.initial_password": Text("初始密码", "Initial password"),
    "staff.create": Text("创建账号", "Create account"),
    "staff.created": Text("账号已创建", "Account created"),
    "staff.disable": Text("停用", "Disable"),
    "staff.enable": Text("启用", "Enable"),
    "staff.disabled": Text("已停用", "Disabled"),
    "staff.role_separator": Text("、", ", "),
    "staff.reset": Text("重置密码", "Reset password"),
    "staff.reset_done": Text("{name} 的临时密码:{password}(请当面告知,仅显示一次)",
                             "Temporary password for {name}: {password} (tell them in person; shown once)"),
    # units
    "units.title": Text("房屋与业主", "Units and residents"),
    "units.search": Text("搜索房号,如 1201", "Search unit number, e.g. 1201"),
    "units.all_buildings": Text("全部楼栋", "All buildings"),
    "units.residents": Text("{count} 位业主", "{count} residents"),
    "units.vacant": Text("未注册", "No account"),
    "units.invite": Text("邀请码", "Invite"),
    "units.invite_for": Text("{unit} 业主邀请码", "Invite code for {unit}"),
    "units.invite_expires": Text("有效期至 {when},仅可使用一次", "Valid until {when}, single use"),
    "units.print": Text("打印", "Print"),
    "units.close": Text("关闭", "Close"),
    "units.more": Text("加载更多", "Load more"),
    "units.area": Text("{area} ㎡", "{area} m²"),
    # roster
    "roster.title": Text("排班表", "Duty roster"),
    "roster.add": Text("安排值班", "Add to roster"),
    "roster.person": Text("人员", "Person"),
    "roster.shift": Text("班次", "Shift"),
    "roster.role": Text("岗位", "Role"),
    "roster.remove": Text("移除", "Remove"),
    "roster.empty": Text("当天没有排班", "Nobody is rostered on this day"),
    "roster.prev": Text("前一天", "Previous day"),
    "roster.next": Text("后一天", "Next day"),
    # error
    "error.role_not_held": Text("该员工没有这个岗位", "This person does not hold that role"),
    # audit
    "audit.duty_assigned": Text("安排值班", "added a duty"),
    "audit.duty_removed": Text("移除值班", "removed a duty"),
}
