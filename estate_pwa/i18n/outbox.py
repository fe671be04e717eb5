"""The phone's offline outbox."""

from estate_pwa.i18n._text import Text

TEXT: dict[str, Text] = {
    "outbox.waiting": Text("条记录保存在本手机上,联网后自动发送", "actions saved on this phone, will send when online"),
    "error.photo_too_large": Text("照片太大", "The photo is too large"),
    "error.not_staff": Text("只能授予本小区在职员工", "Only active staff of the estate can be given this"),
}
