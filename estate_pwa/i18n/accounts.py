"""Logging in, joining with an invite code, 我的 (password, language, logout) and account rules."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    # page titles (page_title)
    "title.login": Text("登录", "Log in"),
    "title.join": Text("业主注册", "Resident sign-up"),
    "title.me": Text("我的", "Me"),
    # login
    "login.title": Text("登录", "Log in"),
    "login.subtitle": Text("物业员工与业主请使用手机号登录", "Staff and residents log in with their phone number"),
    "login.phone": Text("手机号", "Phone number"),
    "login.password": Text("密码", "Password"),
    "login.submit": Text("登录", "Log in"),
    "login.join": Text("新业主?用邀请码注册", "New resident? Join with an invite code"),
    # join
    "join.title": Text("业主注册", "Resident sign-up"),
    "join.subtitle": Text("请输入物业提供的邀请码", "Enter the invite code from the management office"),
    "join.code": Text("邀请码", "Invite code"),
    "join.name": Text("姓名", "Name"),
    "join.password_hint": Text("至少8位,包含字母和数字", "At least 8 characters with letters and digits"),
    "join.submit": Text("注册并登录", "Join and log in"),
    "join.back": Text("已有账号?去登录", "Have an account? Log in"),
    # me
    "me.title": Text("我的", "Me"),
    "me.language": Text("语言", "Language"),
    "me.view_as": Text("切换身份", "Switch view"),
    "me.change_password": Text("修改密码", "Change password"),
    "me.current_password": Text("当前密码", "Current password"),
    "me.new_password": Text("新密码", "New password"),
    "me.save_password": Text("保存新密码", "Save new password"),
    "me.password_saved": Text("密码已修改", "Password changed"),
    "me.logout": Text("退出登录", "Log out"),
    # error
    "error.login_failed": Text("手机号或密码错误", "Wrong phone number or password"),
    "error.account_locked": Text("密码错误次数过多,账号已锁定,请 {minutes} 分钟后再试",
                                 "Too many wrong passwords: the account is locked, try again in {minutes} minutes"),
    "error.account_disabled": Text("账号已停用,请联系物业经理", "This account is disabled; contact the manager"),
    "error.phone_invalid": Text("请输入11位手机号", "Enter an 11-digit mobile number"),
    "error.phone_taken": Text("该手机号已注册", "This phone number is already registered"),
    "error.name_required": Text("请输入姓名", "Enter a name"),
    "error.name_too_long": Text("姓名最多50个字符", "A name has at most 50 characters"),
    "error.name_invalid": Text("姓名包含无法识别的字符", "The name contains characters that cannot be used"),
    "error.password_required": Text("请输入密码", "Enter your password"),
    "error.password_length": Text("密码长度为8到128位", "A password has 8 to 128 characters"),
    "error.password_weak": Text("密码需同时包含字母和数字", "A password needs letters and digits"),
    "error.current_password_wrong": Text("当前密码不正确", "The current password is wrong"),
    "error.roles_required": Text("请至少选择一个岗位", "Choose at least one role"),
    "error.invite_invalid": Text("邀请码无效或已过期", "This invite code is not valid or has expired"),
    "error.invite_used": Text("邀请码已被使用", "This invite code has already been used"),
    "error.cannot_disable_self": Text("不能停用自己的账号", "You cannot disable your own account"),
    # audit
    "audit.login": Text("登录", "logged in"),
    "audit.logout": Text("退出登录", "logged out"),
    "audit.account_locked": Text("账号因密码错误被锁定", "account locked after wrong passwords"),
    "audit.staff_created": Text("新增员工账号", "created a staff account"),
    "audit.account_enabled": Text("启用账号", "enabled an account"),
    "audit.account_disabled": Text("停用账号", "disabled an account"),
    "audit.password_reset": Text("重置密码", "reset a password"),
    "audit.password_changed": Text("修改密码", "changed their password"),
    "audit.invite_issued": Text("生成业主邀请码", "issued an invite code"),
    "audit.resident_joined": Text("业主注册", "joined as a resident"),
}
